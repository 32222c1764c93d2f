// The hot-desk board: every desk phone as a tile, the calls that ring, and
// buttons that call the integration's actions. It reads only what Home
// Assistant pushes to the card over its websocket (`hass` updates); the
// call log is asked for only when an account's missed-call count changes.
// The actions check who may act on the server; the card only offers them.

import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { repeat } from "lit/directives/repeat.js";

import "./editor";
import type { BoardConfig, HomeAssistant, ServiceCallReply } from "./ha-types";
import {
  DOMAIN,
  callAtDesk,
  canBookAt,
  canLogInAt,
  loginOffer,
  readBoard,
  type Account,
  type Board,
  type Desk,
  type EmergencyCall,
  type LoginOffer,
} from "./model";
import { localize, type StringKey } from "./strings";

export const CARD_TYPE = "hotdesk-board";

interface MissedCall {
  number: string;
  caller: string;
}

export class HotdeskBoard extends LitElement {
  static properties = {
    hass: { attribute: false },
    _config: { state: true },
    _missed: { state: true },
    _message: { state: true },
    _busy: { state: true },
    _picking: { state: true },
    _booking: { state: true },
  };

  hass?: HomeAssistant;
  private _config?: BoardConfig;
  private _missed = new Map<string, MissedCall>();
  private _missedSeen = new Map<string, string | null>();
  private _message = "";
  private _busy = "";
  // The desk whose "Log in…" control is open (its account list is drawn
  // only then: an office may have 10,000 accounts).
  private _picking = "";
  // The desk whose "Book this desk" form is open.
  private _booking = "";
  private _translated?: string;

  static getConfigElement(): HTMLElement {
    return document.createElement(`${CARD_TYPE}-editor`);
  }

  static getStubConfig(): BoardConfig {
    return { type: `custom:${CARD_TYPE}`, show_calls: true, show_offline: true };
  }

  setConfig(config: BoardConfig): void {
    if (!config || typeof config !== "object") {
      throw new Error("Invalid configuration");
    }
    this._config = { show_calls: true, show_offline: true, ...config };
  }

  getCardSize(): number {
    return 4;
  }

  getGridOptions(): Record<string, number> {
    return { columns: 12, min_columns: 6, rows: 4 };
  }

  private _t(key: StringKey, values?: Record<string, string>): string {
    return localize(this.hass?.locale?.language ?? this.hass?.language, key, values);
  }

  // Only re-render for changes of our own entities or the registries.
  protected shouldUpdate(changed: PropertyValues): boolean {
    if (!changed.has("hass") || changed.size > 1) return true;
    const old = changed.get("hass") as HomeAssistant | undefined;
    const now = this.hass;
    if (!old || !now) return true;
    if (
      old.entities !== now.entities ||
      old.devices !== now.devices ||
      old.areas !== now.areas ||
      old.language !== now.language ||
      old.localize !== now.localize ||
      old.formatEntityState !== now.formatEntityState
    ) {
      return true;
    }
    for (const entry of Object.values(now.entities)) {
      if (entry.platform === DOMAIN && old.states[entry.entity_id] !== now.states[entry.entity_id]) {
        return true;
      }
    }
    return false;
  }

  // The desks' state labels ("Idle", "Frei") are the integration's entity
  // translations: a dashboard loads them only for the entities it shows, so
  // the card asks for them (again when the language changes).
  protected willUpdate(): void {
    const language = this.hass?.language;
    if (language && this._translated !== language && this.hass?.loadBackendTranslation) {
      this._translated = language;
      void this.hass.loadBackendTranslation("entity", DOMAIN);
    }
  }

  protected updated(changed: PropertyValues): void {
    if (changed.has("_picking") && this._picking) {
      this.renderRoot.querySelector<HTMLSelectElement>("select.login-account")?.focus();
    }
    if (changed.has("_booking") && this._booking) {
      this.renderRoot.querySelector<HTMLSelectElement>("select.book-account")?.focus();
    }
    if (!this.hass || !this._config?.show_calls) return;
    for (const account of readBoard(this.hass).accounts) {
      if (this._missedSeen.get(account.accountId) === account.missedCount) continue;
      this._missedSeen.set(account.accountId, account.missedCount);
      if (account.extension && account.missedCount && account.missedCount !== "0") {
        void this._loadMissed(account);
      }
    }
  }

  // The newest missed call of an account, from its call log (the action
  // answers only for users who may act for the account).
  private async _loadMissed(account: Account): Promise<void> {
    try {
      const reply = await this.hass!.callWS<ServiceCallReply>({
        type: "call_service",
        domain: DOMAIN,
        service: "call_log",
        service_data: { extension: account.extension },
        return_response: true,
      });
      const calls = (reply.response?.["calls"] ?? []) as Array<Record<string, string | null>>;
      const missed = calls.find((c) => c["outcome"] === "missed" && c["caller_id_number"]);
      const next = new Map(this._missed);
      if (missed) {
        const number = missed["caller_id_number"]!;
        const name = missed["caller_id_name"];
        next.set(account.accountId, { number, caller: name ? `${name} <${number}>` : number });
      } else {
        next.delete(account.accountId);
      }
      this._missed = next;
    } catch {
      // Not this user's account, or the PBX is away: no call-back button.
    }
  }

  private async _act(id: string, service: string, data: Record<string, unknown>): Promise<boolean> {
    this._busy = id;
    this._message = "";
    try {
      await this.hass!.callService(DOMAIN, service, data);
      return true;
    } catch (err) {
      const text = err instanceof Error ? err.message : String((err as { message?: string })?.message ?? err);
      this._message = this._t("failed", { error: text });
      return false;
    } finally {
      this._busy = "";
    }
  }

  private _stateLabel(desk: Desk): string {
    return this.hass!.formatEntityState?.(desk.stateEntity) ?? desk.state;
  }

  private _time(date: Date): string {
    const language = this.hass?.locale?.language ?? this.hass?.language ?? "en";
    try {
      return date.toLocaleTimeString(language, {
        hour: "2-digit",
        minute: "2-digit",
        timeZone: this.hass?.config.time_zone,
      });
    } catch {
      return date.toLocaleTimeString();
    }
  }

  private _deskNames(board: Board, ids: string[]): string {
    const names = ids.map((id) => board.desks.find((d) => d.deskId === id)?.name ?? id);
    return names.length ? names.join(", ") : this._t("nowhere");
  }

  protected render() {
    if (!this.hass || !this._config) return nothing;
    const board = readBoard(this.hass);
    const areas = this._config.areas?.length ? new Set(this._config.areas) : null;
    const desks = board.desks.filter(
      (d) =>
        (!areas || (d.areaId !== null && areas.has(d.areaId))) &&
        (this._config!.show_offline !== false || d.state !== "offline"),
    );
    const ringing = board.accounts.filter((a) => a.state === "ringing");
    const offer = loginOffer(this.hass, board);
    return html`
      <ha-card .header=${this._config.title ?? this._t("default_title")}>
        <div class="content">
          ${board.emergencies.length ? this._renderEmergencies(board) : nothing}
          ${desks.length
            ? html`<div class="grid">${desks.map((d) => this._renderDesk(board, d, ringing, offer))}</div>`
            : html`<p class="empty">${this._t("no_desks")}</p>`}
          ${this._config.show_calls ? this._renderCalls(board) : nothing}
          ${this._message ? html`<p class="message" role="alert">${this._message}</p>` : nothing}
        </div>
      </ha-card>
    `;
  }

  // Emergency calls in progress: a red banner above everything, one line a
  // call, for every desk (the card's area filter does not hide them).
  private _renderEmergencies(board: Board) {
    return html`<div class="emergency" role="alert">
      ${board.emergencies.map(
        (call) => html`<div class="emergency-call" data-desk=${call.deskId ?? ""}>
          <ha-icon icon="mdi:alarm-light" aria-hidden="true"></ha-icon>
          <span>${this._emergencyLine(board, call)}</span>
        </div>`,
      )}
    </div>`;
  }

  private _emergencyLine(board: Board, call: EmergencyCall): string {
    const desk =
      (call.deskId ? board.desks.find((d) => d.deskId === call.deskId)?.name : undefined) ??
      call.desk ??
      this._t("emergency_unknown_phone");
    return this._t("emergency_call", {
      number: call.number,
      desk,
      location: call.location ?? this._t("emergency_no_location"),
      who: call.loggedIn ?? this._t("emergency_nobody"),
    });
  }

  private _renderDesk(board: Board, desk: Desk, ringing: Account[], offer: LoginOffer) {
    const emergency = board.emergencies.find((e) => e.deskId !== null && e.deskId === desk.deskId);
    const call = callAtDesk(board, desk);
    let callLine: unknown = nothing;
    if (call && desk.state === "ringing") {
      callLine = html`<div class="call">${this._t("ringing_for", { account: call.name })}${call.caller
        ? html` · <span class="caller">${call.caller}</span>`
        : nothing}</div>`;
    } else if (desk.state === "in_call") {
      callLine = html`<div class="call">${call
        ? this._t("in_call_with", { caller: call.caller ?? this._t("unknown_caller") })
        : this._t("in_call")}</div>`;
    }
    // A ringing call can be taken at any desk it does not ring yet.
    const claimable = ringing.filter((a) => a.extension && !a.ringingDeskIds.includes(desk.deskId));
    return html`
      <div
        class="tile"
        data-desk=${desk.deskId}
        data-state=${desk.state}
        ?data-emergency=${emergency !== undefined}
      >
        <div class="top">
          <span class="name">${desk.name}</span>
          <span class="state ${desk.state}">${this._stateLabel(desk)}</span>
        </div>
        ${desk.area ? html`<div class="area">${desk.area}</div>` : nothing}
        <div class="login">
          ${desk.loggedIn
            ? this._t("logged_in_since", {
                account: desk.loggedInExtension ? `${desk.loggedIn} (${desk.loggedInExtension})` : desk.loggedIn,
                time: desk.since ? this._time(desk.since) : "?",
              })
            : html`<span class="muted">${this._t("nobody")}</span>`}
        </div>
        ${desk.booking ? html`<div class="booking">${this._bookingLine(desk)}</div>` : nothing}
        ${emergency
          ? html`<div class="emergency-mark">${this._t("emergency_tile", { number: emergency.number })}</div>`
          : nothing}
        ${callLine}
        <div class="actions">
          ${desk.loggedIn
            ? html`<button
                class="logout"
                ?disabled=${this._busy === `logout-${desk.deskId}`}
                @click=${() => this._act(`logout-${desk.deskId}`, "logout", { desk: desk.deviceId })}
              >
                ${this._t("log_out")}
              </button>`
            : nothing}
          ${claimable.map(
            (a) => html`<button
              class="claim"
              data-account=${a.accountId}
              ?disabled=${this._busy === `claim-${desk.deskId}`}
              @click=${() =>
                this._act(`claim-${desk.deskId}`, "claim_call", {
                  extension: a.extension,
                  desk: desk.deviceId,
                })}
            >
              ${this._t("claim_here", { account: a.name })}
            </button>`,
          )}
          ${this._picking !== desk.deskId && canLogInAt(offer, desk)
            ? html`<button class="login-open" @click=${() => (this._picking = desk.deskId)}>
                ${this._t("log_in_open")}
              </button>`
            : nothing}
          ${this._booking !== desk.deskId && canBookAt(offer, desk)
            ? html`<button class="book-open" @click=${() => (this._booking = desk.deskId)}>
                ${this._t("book_open")}
              </button>`
            : nothing}
        </div>
        ${this._picking === desk.deskId ? this._renderLoginPicker(desk, offer) : nothing}
        ${this._booking === desk.deskId ? this._renderBookForm(desk, offer) : nothing}
      </div>
    `;
  }

  // "Log in…" opened: the accounts the user may log in here (drawn only
  // for the open desk), then Log in calls the login action. A login replaces
  // the desk's present one (canLogInAt offers it only where that is allowed).
  private _renderLoginPicker(desk: Desk, offer: LoginOffer) {
    const choices = offer.accounts.filter((a) => a.accountId !== desk.loggedInAccountId);
    const busy = this._busy === `login-${desk.deskId}`;
    const confirm = async (): Promise<void> => {
      const select = this.renderRoot.querySelector<HTMLSelectElement>(
        `.tile[data-desk="${CSS.escape(desk.deskId)}"] select.login-account`,
      );
      const extension = select?.value;
      if (!extension) return;
      if (await this._act(`login-${desk.deskId}`, "login", { extension, desk: desk.deviceId })) {
        if (this._picking === desk.deskId) this._picking = "";
      }
    };
    return html`<div class="login-picker">
      <select
        class="login-account"
        aria-label=${this._t("log_in_account", { desk: desk.name })}
        ?disabled=${busy}
        @keydown=${(ev: KeyboardEvent) => {
          if (ev.key === "Escape") this._picking = "";
        }}
      >
        <option value="" selected disabled>${this._t("log_in_choose")}</option>
        ${repeat(
          choices,
          (a) => a.accountId,
          (a) => html`<option value=${a.extension!} data-account=${a.accountId}>${a.name} (${a.extension})</option>`,
        )}
      </select>
      <button class="login-confirm" ?disabled=${busy} @click=${confirm}>${this._t("log_in")}</button>
      <button class="login-cancel" ?disabled=${busy} @click=${() => (this._picking = "")}>
        ${this._t("cancel")}
      </button>
    </div>`;
  }

  // Who has the desk booked until when; a booking later today says from when.
  private _bookingLine(desk: Desk): string {
    const booking = desk.booking!;
    const account = booking.extension ? `${booking.account} (${booking.extension})` : booking.account;
    if (booking.start.getTime() > Date.now()) {
      return this._t("booked_from", {
        account,
        start: this._time(booking.start),
        end: this._time(booking.end),
      });
    }
    return this._t("booked_until", { account, time: this._time(booking.end) });
  }

  // The hour and minute now in Home Assistant's time zone (the one the
  // book_desk action reads a bare time in).
  private _nowInHa(): { hour: number; minute: number } {
    const parts = new Intl.DateTimeFormat("en-GB", {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone: this.hass?.config.time_zone,
    }).formatToParts(new Date());
    const part = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
    return { hour: part("hour"), minute: part("minute") };
  }

  // "Book this desk" opened: an account the user may book for and an end
  // time today (proposed: the full hour after the next), then Book calls the
  // book_desk action, which checks the user, the time and the desk's
  // bookings and creates the event in the desk's calendar.
  private _renderBookForm(desk: Desk, offer: LoginOffer) {
    const busy = this._busy === `book-${desk.deskId}`;
    const { hour, minute } = this._nowInHa();
    const next = hour + (minute >= 30 ? 2 : 1);
    const until = next >= 24 ? "23:59" : `${String(next).padStart(2, "0")}:00`;
    const own = desk.booking === null ? undefined : offer.byId.get(desk.booking.accountId ?? "");
    const preset = offer.accounts.length === 1 ? offer.accounts[0] : own;
    const confirm = async (): Promise<void> => {
      const form = this.renderRoot.querySelector<HTMLElement>(
        `.tile[data-desk="${CSS.escape(desk.deskId)}"] .book-form`,
      );
      const extension = form?.querySelector<HTMLSelectElement>("select.book-account")?.value;
      const end = form?.querySelector<HTMLInputElement>("input.book-until")?.value;
      if (!extension || !end) return;
      if (await this._act(`book-${desk.deskId}`, "book_desk", { extension, desk: desk.deviceId, end })) {
        if (this._booking === desk.deskId) this._booking = "";
      }
    };
    return html`<div
      class="book-form"
      @keydown=${(ev: KeyboardEvent) => {
        if (ev.key === "Escape") this._booking = "";
      }}
    >
      <select class="book-account" aria-label=${this._t("book_account", { desk: desk.name })} ?disabled=${busy}>
        <option value="" ?selected=${!preset} disabled>${this._t("log_in_choose")}</option>
        ${repeat(
          offer.accounts,
          (a) => a.accountId,
          (a) => html`<option
            value=${a.extension!}
            data-account=${a.accountId}
            ?selected=${preset?.accountId === a.accountId}
          >
            ${a.name} (${a.extension})
          </option>`,
        )}
      </select>
      <label class="book-until-label">
        ${this._t("book_until")}
        <input class="book-until" type="time" required .value=${until} ?disabled=${busy} />
      </label>
      <button class="book-confirm" ?disabled=${busy} @click=${confirm}>${this._t("book_confirm")}</button>
      <button class="book-cancel" ?disabled=${busy} @click=${() => (this._booking = "")}>
        ${this._t("cancel")}
      </button>
    </div>`;
  }

  private _renderCalls(board: Board) {
    const active = board.accounts.filter((a) => a.state === "ringing" || a.state === "in_call");
    const missed = board.accounts.filter((a) => this._missed.has(a.accountId) && a.extension);
    return html`
      <div class="calls">
        <h3>${this._t("calls")}</h3>
        ${active.length ? nothing : html`<p class="muted">${this._t("no_calls")}</p>`}
        <ul>
          ${active.map(
            (a) => html`<li class="active-call ${a.state}" data-account=${a.accountId}>
              ${a.state === "ringing"
                ? this._t("call_rings", {
                    caller: a.caller ?? this._t("unknown_caller"),
                    account: a.name,
                    extension: a.extension ?? "",
                    desks: this._deskNames(board, a.ringingDeskIds),
                  })
                : this._t("call_answered", {
                    caller: a.caller ?? this._t("unknown_caller"),
                    account: a.name,
                    extension: a.extension ?? "",
                    desk: a.answeredDesk ?? a.claimedDesk ?? this._t("nowhere"),
                  })}
            </li>`,
          )}
          ${missed.map((a) => {
            const call = this._missed.get(a.accountId)!;
            return html`<li class="missed" data-account=${a.accountId}>
              ${this._t("last_missed", { account: a.name, extension: a.extension!, caller: call.caller })}
              <button
                class="callback"
                ?disabled=${this._busy === `call-${a.accountId}`}
                @click=${() =>
                  this._act(`call-${a.accountId}`, "call", { extension: a.extension, number: call.number })}
              >
                ${this._t("call_back")}
              </button>
            </li>`;
          })}
        </ul>
      </div>
    `;
  }

  static styles = css`
    .content {
      padding: 0 16px 16px;
    }
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(180px, 1fr));
      gap: 8px;
    }
    .tile {
      border: 1px solid var(--divider-color, #ddd);
      border-left: 6px solid var(--disabled-text-color, #999);
      border-radius: 8px;
      padding: 8px 10px;
      display: flex;
      flex-direction: column;
      gap: 4px;
      background: var(--card-background-color, #fff);
    }
    .tile[data-state="idle"] {
      border-left-color: var(--success-color, #43a047);
    }
    .tile[data-state="ringing"] {
      border-left-color: var(--warning-color, #ffa600);
      background: color-mix(in srgb, var(--warning-color, #ffa600) 12%, var(--card-background-color, #fff));
    }
    .tile[data-state="in_call"] {
      border-left-color: var(--info-color, #039be5);
    }
    .tile[data-state="offline"],
    .tile[data-state="unavailable"] {
      opacity: 0.6;
    }
    .emergency {
      display: flex;
      flex-direction: column;
      gap: 4px;
      margin-bottom: 12px;
      padding: 10px 12px;
      border-radius: 8px;
      background: var(--error-color, #db4437);
      color: #fff;
      font-weight: 700;
    }
    .emergency-call {
      display: flex;
      gap: 8px;
      align-items: center;
    }
    .emergency-call ha-icon {
      flex: none;
      --mdc-icon-size: 22px;
    }
    .tile[data-emergency] {
      border-color: var(--error-color, #db4437);
      border-left-color: var(--error-color, #db4437);
      border-width: 2px 2px 2px 6px;
      background: color-mix(in srgb, var(--error-color, #db4437) 14%, var(--card-background-color, #fff));
    }
    .emergency-mark {
      color: var(--error-color, #db4437);
      font-weight: 700;
    }
    .top {
      display: flex;
      justify-content: space-between;
      gap: 8px;
      align-items: baseline;
    }
    .name {
      font-weight: 600;
    }
    .state {
      font-size: 0.85em;
      white-space: nowrap;
    }
    .area,
    .muted {
      color: var(--secondary-text-color, #666);
      font-size: 0.9em;
    }
    .caller {
      font-weight: 600;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
      margin-top: 2px;
    }
    button {
      font: inherit;
      font-size: 0.85em;
      padding: 4px 10px;
      border-radius: 14px;
      border: 1px solid var(--primary-color, #03a9f4);
      color: var(--primary-color, #03a9f4);
      background: transparent;
      cursor: pointer;
    }
    button.claim,
    button.callback,
    button.login-confirm,
    button.book-confirm {
      background: var(--primary-color, #03a9f4);
      color: var(--text-primary-color, #fff);
    }
    .booking {
      font-size: 0.9em;
      color: var(--primary-color, #03a9f4);
    }
    .book-form,
    .login-picker {
      display: flex;
      flex-wrap: wrap;
      gap: 4px;
      align-items: center;
    }
    .book-until-label {
      display: flex;
      gap: 4px;
      align-items: center;
      font-size: 0.85em;
    }
    input.book-until {
      font: inherit;
      padding: 2px 4px;
      border-radius: 6px;
      border: 1px solid var(--divider-color, #ccc);
      color: var(--primary-text-color, #000);
      background: var(--card-background-color, #fff);
    }
    select.book-account,
    select.login-account {
      font: inherit;
      font-size: 0.85em;
      flex: 1 1 100%;
      min-width: 0;
      padding: 3px 6px;
      border-radius: 6px;
      border: 1px solid var(--divider-color, #ccc);
      color: var(--primary-text-color, #000);
      background: var(--card-background-color, #fff);
    }
    button[disabled] {
      opacity: 0.5;
      cursor: progress;
    }
    .calls h3 {
      margin: 16px 0 4px;
      font-size: 1em;
    }
    .calls ul {
      margin: 0;
      padding-left: 18px;
    }
    .calls li {
      margin: 4px 0;
    }
    .message {
      color: var(--error-color, #db4437);
    }
  `;
}

if (!customElements.get(CARD_TYPE)) {
  customElements.define(CARD_TYPE, HotdeskBoard);
  window.customCards = window.customCards ?? [];
  window.customCards.push({
    type: CARD_TYPE,
    name: localize(navigator.language, "card_name"),
    description: localize(navigator.language, "card_description"),
    preview: true,
    documentationURL: "https://github.com/hotdesk-phone/hotdesk_phone#the-hot-desk-board-card",
  });
}
