/** The sections of the admin UI, in the order the navigation lists them. */
export interface Section {
  readonly path: string;
  readonly label: string;
  /** Shown only to admins. */
  readonly adminOnly?: boolean;
}

export const SECTIONS: readonly Section[] = [
  { path: "/", label: "Dashboard" },
  { path: "/devices", label: "Devices" },
  { path: "/accounts", label: "Accounts" },
  { path: "/activation", label: "Activation codes" },
  { path: "/configuration", label: "Configuration" },
  { path: "/firmware", label: "Firmware" },
  { path: "/redirect", label: "Redirect" },
  { path: "/audit", label: "Audit log", adminOnly: true },
  { path: "/settings", label: "Settings" },
];
