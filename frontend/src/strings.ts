// Every word the board shows, in the integration's languages.

const EN = {
  card_name: "Hot-desk board",
  card_description:
    "Every desk phone: who is logged in, ringing and in-call state, and buttons to log in, log out, claim a ringing call or call back.",
  default_title: "Hot-desk board",
  no_desks: "No desk phones yet: add them under Settings → Devices & services → Hot-desk phone for Asterisk.",
  nobody: "Nobody logged in",
  logged_in_since: "{account} since {time}",
  ringing_for: "Ringing for {account}",
  in_call_with: "In call with {caller}",
  in_call: "In call",
  unknown_caller: "an unknown caller",
  log_out: "Log out",
  log_in_open: "Log in…",
  log_in_account: "Account to log in at {desk}",
  log_in_choose: "Choose an account",
  log_in: "Log in",
  cancel: "Cancel",
  claim_here: "Claim {account}'s call here",
  calls: "Calls",
  no_calls: "No call ringing.",
  call_rings: "{caller} → {account} ({extension}), ringing at {desks}",
  call_answered: "{caller} ↔ {account} ({extension}) at {desk}",
  last_missed: "{account} ({extension}) missed {caller}",
  call_back: "Call back",
  nowhere: "no desk",
  emergency_call: "Emergency call {number} from {desk} — {location} — logged in: {who}",
  emergency_unknown_phone: "an unknown phone",
  emergency_no_location: "location unknown",
  emergency_nobody: "nobody",
  emergency_tile: "Emergency call {number}",
  failed: "Failed: {error}",
  editor_title: "Title",
  editor_areas: "Only desks in these areas",
  editor_show_calls: "Show ringing calls and missed calls",
  editor_show_offline: "Show offline desks",
};
type Key = keyof typeof EN;

const DE: Record<Key, string> = {
  card_name: "Hot-Desk-Übersicht",
  card_description:
    "Jedes Tischtelefon: wer angemeldet ist, ob es klingelt oder telefoniert, und Knöpfe zum Anmelden, Abmelden, Anruf heranholen oder Zurückrufen.",
  default_title: "Hot-Desk-Übersicht",
  no_desks: "Noch keine Tischtelefone: Füge sie unter Einstellungen → Geräte & Dienste → Hot-desk phone for Asterisk hinzu.",
  nobody: "Niemand angemeldet",
  logged_in_since: "{account} seit {time}",
  ringing_for: "Klingelt für {account}",
  in_call_with: "Im Gespräch mit {caller}",
  in_call: "Im Gespräch",
  unknown_caller: "unbekanntem Anrufer",
  log_out: "Abmelden",
  log_in_open: "Anmelden…",
  log_in_account: "Konto, das du an {desk} anmeldest",
  log_in_choose: "Wähle ein Konto",
  log_in: "Anmelden",
  cancel: "Abbrechen",
  claim_here: "Anruf für {account} hierher holen",
  calls: "Anrufe",
  no_calls: "Kein Anruf klingelt.",
  call_rings: "{caller} → {account} ({extension}), klingelt an {desks}",
  call_answered: "{caller} ↔ {account} ({extension}) an {desk}",
  last_missed: "{account} ({extension}) hat {caller} verpasst",
  call_back: "Zurückrufen",
  nowhere: "keinem Tisch",
  emergency_call: "Notruf {number} von {desk} — {location} — angemeldet: {who}",
  emergency_unknown_phone: "einem unbekannten Telefon",
  emergency_no_location: "Standort unbekannt",
  emergency_nobody: "niemand",
  emergency_tile: "Notruf {number}",
  failed: "Fehlgeschlagen: {error}",
  editor_title: "Titel",
  editor_areas: "Nur Tische in diesen Bereichen",
  editor_show_calls: "Klingelnde und verpasste Anrufe zeigen",
  editor_show_offline: "Nicht erreichbare Tische zeigen",
};

const ZH: Record<Key, string> = {
  card_name: "工位看板",
  card_description: "每部工位电话：谁已登录、振铃和通话状态，以及登录、注销、在此接听振铃来电和回拨的按钮。",
  default_title: "工位看板",
  no_desks: "尚无工位电话：请在 设置 → 设备与服务 → Hot-desk phone for Asterisk 中添加。",
  nobody: "无人登录",
  logged_in_since: "{account}，自 {time}",
  ringing_for: "正在为 {account} 振铃",
  in_call_with: "正在与 {caller} 通话",
  in_call: "通话中",
  unknown_caller: "未知来电者",
  log_out: "注销",
  log_in_open: "登录…",
  log_in_account: "要在 {desk} 登录的账户",
  log_in_choose: "选择账户",
  log_in: "登录",
  cancel: "取消",
  claim_here: "在此接听 {account} 的来电",
  calls: "来电",
  no_calls: "没有振铃的来电。",
  call_rings: "{caller} → {account}（{extension}），正在 {desks} 振铃",
  call_answered: "{caller} ↔ {account}（{extension}），在 {desk}",
  last_missed: "{account}（{extension}）未接 {caller} 的来电",
  call_back: "回拨",
  nowhere: "无工位",
  emergency_call: "紧急呼叫 {number}，来自 {desk} — {location} — 已登录：{who}",
  emergency_unknown_phone: "未知电话",
  emergency_no_location: "位置未知",
  emergency_nobody: "无人",
  emergency_tile: "紧急呼叫 {number}",
  failed: "失败：{error}",
  editor_title: "标题",
  editor_areas: "仅显示这些区域的工位",
  editor_show_calls: "显示振铃和未接来电",
  editor_show_offline: "显示离线工位",
};

const LANGUAGES: Record<string, Record<Key, string>> = {
  en: EN,
  de: DE,
  "zh-Hans": ZH,
  zh: ZH,
};

export type StringKey = Key;

/** The string in the user's language (English when we lack it). */
export function localize(
  language: string | undefined,
  key: Key,
  values: Record<string, string> = {},
): string {
  const table = LANGUAGES[language ?? "en"] ?? LANGUAGES[(language ?? "en").split("-")[0]] ?? EN;
  return table[key].replace(/\{(\w+)\}/g, (_m, name: string) => values[name] ?? "");
}

/** Every language the board has, with its keys (for the checks). */
export const TABLES = LANGUAGES;
