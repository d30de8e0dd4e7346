/** The dashboard routes' answers (src/api/routes/dashboard_routes.ts). */
export interface Summary {
  readonly devices: {
    readonly total: number;
    readonly byState: readonly { state: string; count: number }[];
    readonly byLifecycle: readonly { state: string; count: number }[];
    readonly neverSeen: number;
  };
  readonly firmware: readonly { version: string | null; count: number }[];
  readonly rollouts: {
    readonly inProgress: number;
    readonly items: readonly {
      id: string;
      policy: string;
      state: string;
      wave: number;
      waves: number;
    }[];
  };
}

export interface Bucket {
  readonly start: string;
  readonly resyncs: number;
  readonly failures: number;
  readonly refusals: number;
}

export interface Activity {
  readonly hours: readonly Bucket[];
  readonly days: readonly Bucket[];
}
