/** Limits and allowlists a key or a team can carry (LiteLLM names in the API). */
export interface LimitSettings {
  /** Model names allowed; empty means all. */
  models: string[];
  mcpServers: string[];
  /** Per-server tool allowlists (`{server: [tools]}`); a server not listed allows all its tools. */
  mcpToolPermissions: Record<string, string[]>;
  knowledgeBases: string[];
  /** USD per budget period (or ever, without `budgetDuration`). */
  maxBudget?: number;
  /** `30s`, `1h`, `1d`, `30d`: spend resets each period, counted from `createdAt`. */
  budgetDuration?: string;
  /** Crossing it logs a warning and emits a metric; nothing is refused. */
  softBudget?: number;
  rpmLimit?: number;
  tpmLimit?: number;
  blocked: boolean;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/** A virtual key as stored (never the key itself: `keyId` is its SHA-256). */
export interface KeyRecord extends LimitSettings {
  /** SHA-256 hex of the key; also the id admins use ("token" in LiteLLM). */
  keyId: string;
  /** `sk-...abcd`: enough to recognise a key, not to use it. */
  keyHint: string;
  keyAlias?: string;
  /** A key belongs to at most one team. */
  teamId?: string;
  /** ISO time after which the key stops working. */
  expires?: string;
}

/** A team: budgets, rate limits and allowlists shared by its keys. */
export interface TeamRecord extends LimitSettings {
  teamId: string;
  teamAlias?: string;
}

/** Port: a stored record kind (keys, teams) in the keys table. */
export interface RecordStore<Value> {
  get(id: string): Promise<Value | undefined>;
  /** Fails with `RecordExistsError` when the id is taken. */
  create(record: Value): Promise<void>;
  /** Replaces the stored record; fails with `RecordNotFoundError` when it is gone. */
  replace(record: Value): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** Every record (admin listing; the keys table is small). */
  list(): Promise<Value[]>;
}

export type KeyStore = RecordStore<KeyRecord>;
export type TeamStore = RecordStore<TeamRecord>;

export class RecordExistsError extends Error {
  constructor() {
    super('a record with this id already exists');
    this.name = 'RecordExistsError';
  }
}

export class RecordNotFoundError extends Error {
  constructor() {
    super('record not found');
    this.name = 'RecordNotFoundError';
  }
}
