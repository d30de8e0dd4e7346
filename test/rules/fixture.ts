/** Appendix B fixture device (spec, "Fixture device"), shared by the rules tests. */
import {
  type DeviceDescription,
  deviceVariables,
  type MacroVariables,
} from "../../src/rules/index.ts";

export const FIXTURE_PARAMS: Readonly<Record<string, string>> = {
  GPP_A: "ABC",
  GPP_B: "123",
  GPP_F: "beta-customer",
  GPP_SA: "Secret!",
  User_ID_1_: "4085551234",
};

export function fixtureDevice(overrides: Partial<DeviceDescription> = {}): DeviceDescription {
  return {
    mac: "00:0e:08:01:23:45",
    productName: "SPA2102",
    productSeries: "2102",
    serial: "88012BA01234",
    swVersion: "2.0.6(b)",
    hwVersion: "1.88.1",
    ip: "192.168.1.100",
    extIp: "66.43.16.52",
    certStatus: "Installed",
    params: (name) => FIXTURE_PARAMS[name],
    ...overrides,
  };
}

/** Fixture variables, with parameter overrides (e.g. `{ GPP_A: "Provisioned" }`). */
export function fixtureVars(
  params: Readonly<Record<string, string>> = {},
  overrides: Partial<DeviceDescription> = {},
): MacroVariables {
  const merged = { ...FIXTURE_PARAMS, ...params };
  return deviceVariables(fixtureDevice({ params: (n) => merged[n], ...overrides }));
}
