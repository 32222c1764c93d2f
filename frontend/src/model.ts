// What the board shows, read from the integration's entities in `hass`.
// Entities are found through the entity registry (platform + translation
// key) and grouped by device, never by entity id: ids differ between HA
// versions and users rename them.

import type { HassEntityState, HomeAssistant } from "./ha-types";

export const DOMAIN = "hotdesk_phone";

export type DeskCallState = "idle" | "ringing" | "in_call" | "offline" | "unavailable";

export interface Desk {
  deviceId: string;
  deskId: string; // the desk's config subentry id (the integration's desk id)
  name: string; // as the user sees it (their rename wins)
  directoryName: string; // as the integration names it in attributes
  area: string | null;
  areaId: string | null;
  state: DeskCallState;
  stateEntity: HassEntityState;
  loggedIn: string | null; // account name
  loggedInAccountId: string | null;
  loggedInExtension: string | null;
  since: Date | null;
  logoutEntityId: string | null;
  // The booking on now, else the next one today (from the login sensor).
  booking: DeskBooking | null;
  // The calendar "Book this desk" writes to, and whether it can.
  calendar: string | null;
  bookable: boolean;
}

export interface DeskBooking {
  account: string;
  accountId: string | null;
  extension: string | null;
  start: Date;
  end: Date;
}

// CalendarEntityFeature.CREATE_EVENT in the calendar's supported_features.
const CALENDAR_CREATE_EVENT = 1;

export interface Account {
  deviceId: string;
  accountId: string;
  name: string;
  extension: string | null;
  state: "idle" | "ringing" | "in_call" | "unavailable";
  callId: string | null;
  caller: string | null; // "Name <number>", null when no call
  callerNumber: string | null;
  ringingDeskIds: string[];
  answeredDesk: string | null;
  claimedDesk: string | null;
  missedEntityId: string | null;
  missedCount: string | null;
  // The person entities the account names (who may act for it), when its
  // state says; null when the integration does not tell the frontend.
  people: string[] | null;
}

/** One emergency call in progress, as the PBX's Emergency call sensor
 * lists it in its `calls` attribute. */
export interface EmergencyCall {
  deskId: string | null; // null: a phone that is no hot desk
  desk: string | null; // the desk's name as the integration has it
  number: string;
  elin: string | null;
  location: string | null; // the civic location in words
  loggedIn: string | null; // the account logged in at the desk, if any
  loggedInExtension: string | null;
  started: Date | null;
}

export interface Board {
  desks: Desk[];
  accounts: Account[];
  // Every emergency call in progress, of every PBX entry (empty: none).
  emergencies: EmergencyCall[];
}

function str(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function ourId(hass: HomeAssistant, deviceId: string): string {
  const device = hass.devices[deviceId];
  const ident = device?.identifiers?.find(([domain]) => domain === DOMAIN);
  return ident ? ident[1] : deviceId;
}

function deviceName(hass: HomeAssistant, deviceId: string): string {
  const device = hass.devices[deviceId];
  return device?.name_by_user || device?.name || deviceId;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** The board's desks and accounts as `hass` has them now. */
export function readBoard(hass: HomeAssistant): Board {
  // device id -> translation key -> entity id
  const byDevice = new Map<string, Map<string, string>>();
  for (const entry of Object.values(hass.entities ?? {})) {
    if (entry.platform !== DOMAIN || !entry.device_id || !entry.translation_key) {
      continue;
    }
    let keys = byDevice.get(entry.device_id);
    if (!keys) {
      keys = new Map();
      byDevice.set(entry.device_id, keys);
    }
    keys.set(entry.translation_key, entry.entity_id);
  }
  const desks: Desk[] = [];
  const accounts: Account[] = [];
  const emergencies: EmergencyCall[] = [];
  for (const [deviceId, keys] of byDevice) {
    // The PBX device's Emergency call sensor (one per entry).
    const emergency = hass.states[keys.get("emergency_call") ?? ""];
    if (emergency?.state === "on") {
      emergencies.push(...readEmergencyCalls(emergency));
    }
    const deskStateId = keys.get("desk_call_state");
    const accountStateId = keys.get("account_call_state");
    if (deskStateId && hass.states[deskStateId]) {
      const stateEntity = hass.states[deskStateId];
      const login = hass.states[keys.get("logged_in_account") ?? ""];
      const loginAttrs = login?.attributes ?? {};
      const device = hass.devices[deviceId];
      const stateAreaId =
        hass.entities[deskStateId]?.area_id ?? device?.area_id ?? null;
      const since = str(loginAttrs["since"]);
      const loggedIn = login && str(loginAttrs["account_id"]) ? login.state : null;
      desks.push({
        deviceId,
        deskId: ourId(hass, deviceId),
        name: deviceName(hass, deviceId),
        directoryName: device?.name ?? deviceId,
        areaId: stateAreaId,
        area: stateAreaId ? (hass.areas[stateAreaId]?.name ?? null) : null,
        state: stateEntity.state as DeskCallState,
        stateEntity,
        loggedIn,
        loggedInAccountId: loggedIn ? str(loginAttrs["account_id"]) : null,
        loggedInExtension: str(loginAttrs["extension"]),
        since: since ? new Date(since) : null,
        logoutEntityId: keys.get("logout") ?? null,
        booking: readBooking(loginAttrs),
        calendar: str(loginAttrs["booking_calendar"]),
        bookable: canCreateEvents(hass, str(loginAttrs["booking_calendar"])),
      });
    } else if (accountStateId && hass.states[accountStateId]) {
      const callState = hass.states[accountStateId];
      const attrs = callState.attributes;
      // The call state carries the caller (the Caller sensor is off by
      // default); an older integration had it only on the Caller sensor.
      const callerState =
        "caller_id_number" in attrs ? callState : hass.states[keys.get("caller") ?? ""];
      const hasCall = callState.state === "ringing" || callState.state === "in_call";
      const missedId = keys.get("missed_calls") ?? null;
      accounts.push({
        deviceId,
        accountId: ourId(hass, deviceId),
        name: deviceName(hass, deviceId),
        extension: str(attrs["extension"]),
        state: callState.state as Account["state"],
        callId: str(attrs["call_id"]),
        caller: hasCall && callerState ? formatCaller(callerState) : null,
        callerNumber: hasCall
          ? str(callerState?.attributes["caller_id_number"])
          : null,
        ringingDeskIds: Array.isArray(attrs["ringing_desk_ids"])
          ? (attrs["ringing_desk_ids"] as string[])
          : [],
        answeredDesk: str(attrs["answered_desk"]),
        claimedDesk: str(attrs["claimed_desk"]),
        missedEntityId: missedId,
        missedCount: missedId ? (hass.states[missedId]?.state ?? null) : null,
        people: Array.isArray(attrs["people"])
          ? (attrs["people"] as unknown[]).filter((p): p is string => typeof p === "string")
          : null,
      });
    }
  }
  desks.sort((a, b) => collator.compare(a.name, b.name));
  accounts.sort((a, b) => collator.compare(a.name, b.name));
  return { desks, accounts, emergencies };
}

function readBooking(attrs: Record<string, unknown>): DeskBooking | null {
  const account = str(attrs["booked_by"]);
  const from = str(attrs["booked_from"]);
  const until = str(attrs["booked_until"]);
  if (!account || !from || !until) return null;
  const start = new Date(from);
  const end = new Date(until);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return null;
  return {
    account,
    accountId: str(attrs["booked_account_id"]),
    extension: str(attrs["booked_extension"]),
    start,
    end,
  };
}

/** Whether a calendar entity is there and can create events. */
function canCreateEvents(hass: HomeAssistant, calendar: string | null): boolean {
  const state = calendar ? hass.states[calendar] : undefined;
  if (!state || state.state === "unavailable") return false;
  const features = Number(state.attributes["supported_features"] ?? 0);
  return (features & CALENDAR_CREATE_EVENT) !== 0;
}

/** Whether "Book this desk" has something to offer: a calendar that can
 * create events and an account the user may book for. */
export function canBookAt(offer: LoginOffer, desk: Desk): boolean {
  return desk.bookable && desk.state !== "unavailable" && offer.accounts.length > 0;
}

function readEmergencyCalls(sensor: HassEntityState): EmergencyCall[] {
  const calls = sensor.attributes["calls"];
  if (!Array.isArray(calls)) return [];
  const found: EmergencyCall[] = [];
  for (const raw of calls as unknown[]) {
    if (!raw || typeof raw !== "object") continue;
    const call = raw as Record<string, unknown>;
    const started = str(call["started"]) ?? str(call["time"]);
    const date = started ? new Date(started) : null;
    found.push({
      deskId: str(call["desk_id"]),
      desk: str(call["desk"]),
      number: str(call["number"]) ?? (typeof call["number"] === "number" ? String(call["number"]) : "?"),
      elin: str(call["elin"]),
      location: str(call["location"]),
      loggedIn: str(call["logged_in_account"]),
      loggedInExtension: str(call["logged_in_extension"]),
      started: date && !Number.isNaN(date.getTime()) ? date : null,
    });
  }
  return found;
}

function formatCaller(caller: HassEntityState): string | null {
  const name = str(caller.attributes["caller_id_name"]);
  const number = str(caller.attributes["caller_id_number"]);
  if (name && number) return `${name} <${number}>`;
  return name ?? number;
}

/** The account whose call this desk is ringing for or is in, if any. */
export function callAtDesk(board: Board, desk: Desk): Account | null {
  for (const account of board.accounts) {
    if (account.state === "ringing" && account.ringingDeskIds.includes(desk.deskId)) {
      return account;
    }
  }
  for (const account of board.accounts) {
    if (
      account.state === "in_call" &&
      (account.answeredDesk === desk.directoryName ||
        account.claimedDesk === desk.directoryName)
    ) {
      return account;
    }
  }
  return null;
}

/** Who the current user may act for, as the integration decides (auth.py):
 * an administrator for every account, anyone else for the accounts that
 * name one of their persons. An account whose people the frontend cannot
 * see is offered: the action refuses it (Unauthorized) if it must. */
export function mayActFor(hass: HomeAssistant): (account: Account) => boolean {
  const user = hass.user;
  if (!user || user.is_admin) return () => true;
  let persons: Set<string> | null = null;
  return (account) => {
    if (account.people === null) return true;
    if (persons === null) {
      persons = new Set(
        Object.values(hass.states)
          .filter((s) => s.entity_id.startsWith("person.") && s.attributes["user_id"] === user.id)
          .map((s) => s.entity_id),
      );
    }
    const mine = persons;
    return account.people.some((p) => mine.has(p));
  };
}

/** What the board offers to log in: the accounts the user may act for (with
 * an extension, which the login action names), and each by id. */
export interface LoginOffer {
  accounts: Account[];
  byId: Map<string, Account>;
  may: (account: Account) => boolean;
}

export function loginOffer(hass: HomeAssistant, board: Board): LoginOffer {
  const may = mayActFor(hass);
  return {
    accounts: board.accounts.filter((a) => a.extension !== null && may(a)),
    byId: new Map(board.accounts.map((a) => [a.accountId, a])),
    may,
  };
}

/** Whether "Log in…" has something to offer at a desk: an account other than
 * the one there, and a present login the user may end (a login replaces it). */
export function canLogInAt(offer: LoginOffer, desk: Desk): boolean {
  if (desk.state === "unavailable") return false;
  const present = desk.loggedInAccountId ? offer.byId.get(desk.loggedInAccountId) : undefined;
  if (present && !offer.may(present)) return false;
  return (
    offer.accounts.length > 1 ||
    (offer.accounts.length === 1 && offer.accounts[0].accountId !== desk.loggedInAccountId)
  );
}
