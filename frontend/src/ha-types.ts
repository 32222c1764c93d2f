// The parts of Home Assistant's frontend object (`hass`) the board reads.
// Written from what the frontend hands a custom card; only what we use.

export interface HassEntityState {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown>;
  last_changed: string;
}

export interface EntityRegistryDisplayEntry {
  entity_id: string;
  device_id?: string | null;
  area_id?: string | null;
  platform?: string;
  translation_key?: string;
}

export interface DeviceRegistryEntry {
  id: string;
  name: string | null;
  name_by_user: string | null;
  area_id: string | null;
  model: string | null;
  identifiers: Array<[string, string]>;
}

export interface AreaRegistryEntry {
  area_id: string;
  name: string;
}

export interface ServiceCallReply {
  response?: Record<string, unknown>;
}

export interface HomeAssistant {
  states: Record<string, HassEntityState>;
  entities: Record<string, EntityRegistryDisplayEntry>;
  devices: Record<string, DeviceRegistryEntry>;
  areas: Record<string, AreaRegistryEntry>;
  language: string;
  locale?: { language: string };
  config: { time_zone: string };
  user?: { id: string; is_admin: boolean };
  callService(
    domain: string,
    service: string,
    data?: Record<string, unknown>,
  ): Promise<unknown>;
  callWS<T>(message: Record<string, unknown>): Promise<T>;
  formatEntityState?(state: HassEntityState, value?: string): string;
  localize?: unknown;
  // Loads an integration's translations of one category into `hass`.
  loadBackendTranslation?(category: string, integration?: string): Promise<unknown>;
}

export interface BoardConfig {
  type: string;
  title?: string;
  areas?: string[];
  show_calls?: boolean;
  show_offline?: boolean;
}

export interface LovelaceCardEditor extends HTMLElement {
  hass?: HomeAssistant;
  setConfig(config: BoardConfig): void;
}

declare global {
  interface Window {
    customCards?: Array<{
      type: string;
      name: string;
      description: string;
      preview?: boolean;
      documentationURL?: string;
    }>;
  }
}
