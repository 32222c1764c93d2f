// The board's visual editor: Home Assistant's own form element (ha-form)
// with selectors, so it looks and behaves like the built-in card editors.

import { LitElement, html, nothing } from "lit";

import type { BoardConfig, HomeAssistant } from "./ha-types";
import { localize, type StringKey } from "./strings";

const SCHEMA = [
  { name: "title", selector: { text: {} } },
  { name: "areas", selector: { area: { multiple: true } } },
  { name: "show_calls", selector: { boolean: {} } },
  { name: "show_offline", selector: { boolean: {} } },
];

const LABELS: Record<string, StringKey> = {
  title: "editor_title",
  areas: "editor_areas",
  show_calls: "editor_show_calls",
  show_offline: "editor_show_offline",
};

export class HotdeskBoardEditor extends LitElement {
  static properties = {
    hass: { attribute: false },
    _config: { state: true },
  };

  hass?: HomeAssistant;
  private _config?: BoardConfig;

  setConfig(config: BoardConfig): void {
    this._config = config;
  }

  private _label = (field: { name: string }): string =>
    localize(this.hass?.locale?.language ?? this.hass?.language, LABELS[field.name] ?? "editor_title");

  private _changed(ev: CustomEvent<{ value: BoardConfig }>): void {
    ev.stopPropagation();
    const config = { ...ev.detail.value };
    for (const key of ["title", "areas"] as const) {
      const value = config[key];
      if (value === "" || (Array.isArray(value) && value.length === 0)) delete config[key];
    }
    this._config = config;
    this.dispatchEvent(new CustomEvent("config-changed", { detail: { config }, bubbles: true, composed: true }));
  }

  protected render() {
    if (!this.hass || !this._config) return nothing;
    return html`<ha-form
      .hass=${this.hass}
      .data=${{ show_calls: true, show_offline: true, ...this._config }}
      .schema=${SCHEMA}
      .computeLabel=${this._label}
      @value-changed=${this._changed}
    ></ha-form>`;
  }
}

if (!customElements.get("hotdesk-board-editor")) {
  customElements.define("hotdesk-board-editor", HotdeskBoardEditor);
}
