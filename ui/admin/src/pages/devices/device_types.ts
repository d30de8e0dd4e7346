/**
 * Shapes of the report routes' answers (the API documents them as free JSON): the latest
 * report and the drift against the effective configuration (src/admin/report_drift.ts).
 */
export interface DeviceReport {
  readonly id: string;
  readonly receivedAt: string;
  readonly kind: string;
  readonly remoteAddress: string | null;
  readonly entries: readonly {
    readonly name: string;
    readonly value: string | null;
    readonly access: string | null;
    readonly secret: boolean;
  }[];
}

export interface DriftItem {
  readonly name: string;
  readonly kind: "differs" | "changed-on-device";
  readonly expected: string | null;
  readonly reported: string | null;
  readonly expectedFrom: string;
  readonly access: string;
  readonly reportedAccess: string | null;
  readonly secret: boolean;
}

export interface DeviceDrift {
  readonly basedOn: readonly { id: string; kind: string; receivedAt: string }[];
  readonly compared: number;
  readonly items: readonly DriftItem[];
}

export interface PushResult {
  readonly outcome: string;
  readonly message: string | null;
  readonly contact: string | null;
}

export interface SecureKeys {
  readonly state: string;
  readonly generation: number;
  readonly rotatedAt: string | null;
}
