/** A virtual key as stored (never the key itself: `keyId` is its SHA-256). */
export interface KeyRecord {
  /** SHA-256 hex of the key; also the id admins use ("token" in LiteLLM). */
  keyId: string;
  /** `sk-...abcd`: enough to recognise a key, not to use it. */
  keyHint: string;
  keyAlias?: string;
  teamId?: string;
  /** Model names this key may use; empty means all. */
  models: string[];
  mcpServers: string[];
  knowledgeBases: string[];
  maxBudget?: number;
  budgetDuration?: string;
  softBudget?: number;
  rpmLimit?: number;
  tpmLimit?: number;
  /** ISO time after which the key stops working. */
  expires?: string;
  blocked: boolean;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface KeyPage {
  keys: KeyRecord[];
}

/** Port: where virtual keys live (DynamoDB keys table in both hosts). */
export interface KeyStore {
  get(keyId: string): Promise<KeyRecord | undefined>;
  /** Fails with `KeyExistsError` when the id is taken. */
  create(record: KeyRecord): Promise<void>;
  /** Replaces the stored record; fails with `KeyNotFoundError` when it is gone. */
  replace(record: KeyRecord): Promise<void>;
  delete(keyId: string): Promise<boolean>;
  /** Every key (admin listing; the keys table is small). */
  list(): Promise<KeyRecord[]>;
}

export class KeyExistsError extends Error {
  constructor() {
    super('a key with this value already exists');
    this.name = 'KeyExistsError';
  }
}

export class KeyNotFoundError extends Error {
  constructor() {
    super('key not found');
    this.name = 'KeyNotFoundError';
  }
}
