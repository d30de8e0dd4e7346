import type { UserAccess } from "./access.ts";
import type { DeviceFamily, IndexSpec, ParameterDefinition } from "./parameter_definition.ts";
import type { ValueType } from "./value_type.ts";

/**
 * The parameters the spec names (Appendix A, §6.1, §7.1, §9, §11, and the per-line SIP
 * identity used by §3, §9.6 and Appendix C). Factory user access is not given by the
 * sources: provisioning, security and line-identity parameters default to `na` (the
 * Provisioning tab is admin-only, §9.2); speed dials and station name to `rw`. Order
 * here is the catalogue order used for rendering.
 */

const BOOL: ValueType = { kind: "bool" };
const SCHEDULE: ValueType = { kind: "schedule" };
const SCRIPT: ValueType = { kind: "profileScript" };
const MSG: ValueType = { kind: "profileMsg" };
const STR: ValueType = { kind: "str" };
const URL: ValueType = { kind: "url" };
const FQDN: ValueType = { kind: "fqdn" };

const SPA_ONLY: readonly DeviceFamily[] = ["sipura", "spa"];
const MPP_ONLY: readonly DeviceFamily[] = ["mpp"];
const LINES: IndexSpec = { over: "line", count: 4 };
const USERS: IndexSpec = { over: "user", count: 4 };

type Extra = Partial<
  Pick<
    ParameterDefinition,
    "defaultMpp" | "defaultSipura" | "secret" | "families" | "notes" | "indexed"
  >
>;

function p(
  name: string,
  label: string,
  type: ValueType,
  defaultValue: string,
  section: string,
  extra: Extra = {},
  userAccess: UserAccess = "na",
): ParameterDefinition {
  return { name, label, type, defaultValue, userAccess, section, ...extra };
}

/** Label = name with `_` → space, the common case (§6.1 last paragraph). */
function q(
  name: string,
  type: ValueType,
  defaultValue: string,
  section: string,
  extra: Extra = {},
  userAccess: UserAccess = "na",
): ParameterDefinition {
  return p(name, name.replace(/_/g, " "), type, defaultValue, section, extra, userAccess);
}

const RESYNC_REQUEST = "$PN $MAC -- Requesting resync $SCHEME://$SERVIP:$PORT$PATH";
const RESYNC_SUCCESS = "$PN $MAC -- Successful resync $SCHEME://$SERVIP:$PORT$PATH";
const RESYNC_FAILURE = "$PN $MAC -- Resync failed: $ERR";

const GPP_LETTERS = "ABCDEFGHIJKLMNOP".split("");
const SECRET_GPP_LETTERS = ["A", "B", "C", "D"];

export const CATALOGUE_DATA: readonly ParameterDefinition[] = [
  // §6.1 Configuration Profile
  q("Provision_Enable", BOOL, "Yes", "6.1", {
    notes: "Master switch for every resync (automatic, URL, NOTIFY); not for upgrades.",
  }),
  q("Resync_On_Reset", BOOL, "Yes", "6.2.1"),
  q("Resync_Random_Delay", { kind: "time", decimals: 0, min: 0, max: 65535 }, "2", "6.2.1", {
    notes: "Units of 20 s: 2 = 40 s.",
  }),
  p("Resync_At__HHmm_", "Resync At (HHmm)", { kind: "hhmm" }, "", "6.2.3", {
    notes: "Daily resync time; when valid, Resync_Periodic is ignored.",
  }),
  q("Resync_At_Random_Delay", { kind: "time", decimals: 0, min: 0, max: 65535 }, "600", "6.2.3", {
    notes: "Seconds. MPP range 600–65535.",
  }),
  q("Resync_Periodic", SCHEDULE, "3600", "6.2.2", {
    notes: "0 or empty: no periodic resync. Cisco recommends 86400 on MPP.",
  }),
  q("Resync_Error_Retry_Delay", SCHEDULE, "3600", "6.5", {
    notes:
      "0: no automatic retry. Newest MPP default: 60,120,240,480,960,1920,3840,7680,15360,30720,61440,86400.",
  }),
  q("Forced_Resync_Delay", { kind: "time", decimals: 0, min: 0, max: 65535 }, "14400", "6.3", {
    notes: "Cap on deferring a due resync while busy.",
  }),
  q("Resync_From_SIP", BOOL, "Yes", "9.6"),
  q("Resync_After_Upgrade_Attempt", BOOL, "Yes", "6.2.5"),
  q("Resync_Trigger_1", SCRIPT, "", "6.2.6", {
    notes: "Bare condition; trigger (SPA) / gate (MPP).",
  }),
  q("Resync_Trigger_2", SCRIPT, "", "6.2.6", {
    notes: "Bare condition; trigger (SPA) / gate (MPP).",
  }),
  q("Resync_Fails_On_FNF", BOOL, "Yes", "6.5"),
  q("Profile_Rule", SCRIPT, "/spa$PSN.cfg", "4.1", {
    defaultMpp: "/$PSN.xml",
    defaultSipura: "/spa.cfg",
    notes: "ATA19x MPP default /ata$PSN.cfg.",
  }),
  q("Profile_Rule_B", SCRIPT, "", "4.1"),
  q("Profile_Rule_C", SCRIPT, "", "4.1"),
  q("Profile_Rule_D", SCRIPT, "", "4.1"),
  q("Log_Resync_Request_Msg", MSG, RESYNC_REQUEST, "6.8", { families: SPA_ONLY }),
  q("Log_Resync_Success_Msg", MSG, `${RESYNC_SUCCESS} -- $ERR`, "6.8", { families: SPA_ONLY }),
  q("Log_Resync_Failure_Msg", MSG, RESYNC_FAILURE, "6.8", { families: SPA_ONLY }),
  q("Log_Request_Msg", MSG, RESYNC_REQUEST, "6.8", {
    families: MPP_ONLY,
    notes: "MPP name of Log_Resync_Request_Msg.",
  }),
  q("Log_Success_Msg", MSG, RESYNC_SUCCESS, "6.8", {
    families: MPP_ONLY,
    notes: "MPP name of Log_Resync_Success_Msg (no ` -- $ERR`).",
  }),
  q("Log_Failure_Msg", MSG, RESYNC_FAILURE, "6.8", {
    families: MPP_ONLY,
    notes: "MPP name of Log_Resync_Failure_Msg.",
  }),
  q("Report_Rule", SCRIPT, "", "8.4"),
  q("Profile_Name", STR, "", "6.1", { families: SPA_ONLY, notes: "SPA1xx only; free storage." }),
  q("Profile_Region", STR, "", "6.1", { families: SPA_ONLY, notes: "SPA1xx only; free storage." }),
  q("Custom_CA_URL", URL, "", "8.3.1", {
    families: SPA_ONLY,
    notes: "SPA1xx/SPA232D; macros allowed.",
  }),
  q("Custom_CA_Rule", URL, "", "8.3.1", {
    families: MPP_ONLY,
    notes: "MPP name of Custom_CA_URL.",
  }),
  q("HTTPS_Name_Validate", BOOL, "Yes", "8.3.1", { families: MPP_ONLY }),
  q("DHCP_Option_To_Use", { kind: "numberList" }, "66,160,159,150", "6.9", {
    defaultMpp: "66,160,159,150,60,43,125",
    notes: "SPA5xx default from a third-party template [unverified].",
  }),
  q("DHCPv6_Option_To_Use", { kind: "numberList" }, "17,160,159", "6.9", { families: MPP_ONLY }),
  q("User_Configurable_Resync", BOOL, "Yes", "6.1", { families: MPP_ONLY }),
  q(
    "Profile_Authentication_Type",
    { kind: "enum", choices: ["Disabled", "Basic HTTP Authentication", "XSI Authentication"] },
    "Basic HTTP Authentication",
    "6.1",
    { families: MPP_ONLY },
  ),
  q("Transport_Protocol", { kind: "enum", choices: ["tftp", "http", "https"] }, "tftp", "6.1", {
    notes: "Scheme for rules without one [unverified]; SPA5xx fw 7.x and MPP.",
  }),
  q("IKM_HTTP_Encrypt_Content", { kind: "password" }, "", "3.6.6", {
    families: MPP_ONLY,
    secret: true,
    notes: "RFC 8188 input keying material.",
  }),
  // §7.1 Firmware Upgrade
  q("Upgrade_Enable", BOOL, "Yes", "7.1"),
  q("Upgrade_Error_Retry_Delay", SCHEDULE, "3600", "7.1", {
    notes: "0: the failure counts as success until reboot.",
  }),
  q("Downgrade_Rev_Limit", { kind: "version" }, "", "7.1"),
  q("Upgrade_Rule", SCRIPT, "", "7.2", { notes: "No [options] allowed." }),
  q(
    "Log_Upgrade_Request_Msg",
    MSG,
    "$PN $MAC -- Requesting upgrade $SCHEME://$SERVIP:$PORT$PATH",
    "7.1",
  ),
  q(
    "Log_Upgrade_Success_Msg",
    MSG,
    "$PN $MAC -- Successful upgrade $SCHEME://$SERVIP:$PORT$PATH -- $ERR",
    "7.1",
  ),
  q("Log_Upgrade_Failure_Msg", MSG, "$PN $MAC -- Upgrade failed: $ERR", "7.1"),
  q("License_Keys", STR, "", "7.1", { families: SPA_ONLY, notes: "Present but unused." }),
  // §11 General purpose parameters
  ...GPP_LETTERS.map((l) =>
    q(`GPP_${l}`, { kind: "str", maxLength: 2047 }, "", "11", {
      notes: `Macro $${l}.`,
      ...(l > "D" ? { families: ["spa", "mpp"] as const } : {}),
    }),
  ),
  ...SECRET_GPP_LETTERS.map((l) =>
    q(`GPP_S${l}`, { kind: "password", maxLength: 2047 }, "", "11", {
      secret: true,
      families: ["spa", "mpp"],
      notes: `Macro $S${l}; expands only in --key (MPP also --uid/--pwd); settable only by profile.`,
    }),
  ),
  // §9 Access control
  q("Admin_Passwd", { kind: "password" }, "", "9.1", {
    secret: true,
    notes: "Empty: no authentication.",
  }),
  q("User_Password", { kind: "password", maxLength: 127 }, "", "9.1", {
    secret: true,
    notes: "MPP: 4–127 characters from three classes.",
  }),
  q("Enable_Web_Server", BOOL, "Yes", "9.2", { notes: "Default [unverified]." }),
  q("Web_Server_Port", { kind: "port" }, "80", "9.2", { notes: "Default [unverified]." }),
  q("Enable_Web_Admin_Access", BOOL, "Yes", "9.2", { notes: "Default [unverified]." }),
  q("Restricted_Access_Domains", { kind: "domainList", maxItems: 5 }, "", "9.3", {
    notes: "SPA: at most five; empty = no restriction.",
  }),
  q("Protect_IVR_FactoryReset", BOOL, "No", "9.4", {
    notes: "Name [unverified]; disables IVR factory reset.",
  }),
  q("Phone-UI-User-Mode", BOOL, "No", "3.2.3", {
    notes: "Phones: LCD honours ua when Yes. Default [unverified].",
  }),
  // §1.1.2 network (named by the RC template)
  q("Primary_DNS", { kind: "ip" }, "", "1.1.2"),
  q("Secondary_DNS", { kind: "ip" }, "", "1.1.2"),
  // §6.8 / §8.5 syslog and debug
  q("Syslog_Server", FQDN, "", "6.8", { notes: "host[:port], UDP 514 by default." }),
  q("Debug_Server", FQDN, "", "8.5"),
  q("Debug_Level", { kind: "enum", choices: ["0", "1", "2", "3"] }, "0", "8.5"),
  q(
    "Syslog_Identifier",
    { kind: "enum", choices: ["None", "$MA", "$MAU", "$MAC", "$SN"] },
    "None",
    "6.8",
    { families: MPP_ONLY },
  ),
  // Per-line SIP identity (Ext n / Line n). ATAs have 1–4 lines; the catalogue ships 4.
  p("Line_Enable", "Line Enable", BOOL, "Yes", "C.2", { indexed: LINES }),
  p("Proxy", "Proxy", FQDN, "", "3.2.2", { indexed: LINES }),
  p("Outbound_Proxy", "Outbound Proxy", FQDN, "", "9.3", { indexed: LINES }),
  p("Use_Outbound_Proxy", "Use Outbound Proxy", BOOL, "No", "9.3", { indexed: LINES }),
  p("Register", "Register", BOOL, "Yes", "3.3.1", { indexed: LINES }),
  p("Make_Call_Without_Reg", "Make Call Without Reg", BOOL, "No", "3.3.1", { indexed: LINES }),
  p("Register_Expires", "Register Expires", { kind: "int", min: 0, max: 65535 }, "3600", "3.3.1", {
    indexed: LINES,
  }),
  p("Display_Name", "Display Name", { kind: "str", maxLength: 127 }, "", "C.2", { indexed: LINES }),
  p("User_ID", "User ID", { kind: "userId" }, "", "C.2", { indexed: LINES }),
  p("Password", "Password", { kind: "password" }, "", "C.2", { indexed: LINES, secret: true }),
  p("Use_Auth_ID", "Use Auth ID", BOOL, "No", "9.6", { indexed: LINES }),
  p("Auth_ID", "Auth ID", { kind: "userId" }, "", "9.6", { indexed: LINES }),
  p(
    "Dial_Plan",
    "Dial Plan",
    { kind: "dialPlan" },
    "(*xx|[3469]11|0|00|[2-9]xxxxxx|1xxx[2-9]xxxxxxS0|xxxxxxxxxxxx.)",
    "3.2.2",
    { indexed: LINES, notes: "Default is the SPA ATA one; models differ." },
  ),
  p("SIP_TOS_DiffServ_Value", "SIP TOS/DiffServ Value", { kind: "uns", bits: 8 }, "0x68", "3.2.3", {
    indexed: LINES,
  }),
  p("Auth_Resync-Reboot", "Auth Resync-Reboot", BOOL, "Yes", "9.6", { indexed: LINES }),
  p("Restrict_Source_IP", "Restrict Source IP", BOOL, "No", "9.6", {
    indexed: LINES,
    notes: "Element name inferred.",
  }),
  p("Auth_Support_RFC8760", "Auth Support RFC8760", BOOL, "No", "9.6", {
    indexed: LINES,
    families: MPP_ONLY,
  }),
  // Per-user speed dials (§3.2.2 example Speed_Dial_2_2_) and phone extras (§3.2.3, §3.2.6).
  ...[2, 3, 4, 5, 6, 7, 8, 9].map((n) =>
    p(
      `Speed_Dial_${n}`,
      `Speed Dial ${n}`,
      { kind: "phone" },
      "",
      "3.2.2",
      { indexed: USERS },
      "rw",
    ),
  ),
  q("Station_Name", { kind: "str", maxLength: 63 }, "", "3.2.3", { families: MPP_ONLY }, "rw"),
];
