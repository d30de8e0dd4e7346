/**
 * Which parameter changes need a restart (§6.7 notes: undocumented per parameter). The
 * emulator's default: the provisioning, GPP, upgrade and log parameters apply live; a
 * change to any other one reboots the unit when it is idle.
 */
const LIVE =
  /^(Provision_Enable|Resync_.*|Forced_Resync_Delay|Profile_Rule(_[BCD])?|Log_.*|Report_Rule|Upgrade_.*|Downgrade_Rev_Limit|GPP_.*|Profile_Name|Profile_Region|Custom_CA_.*|HTTPS_Name_Validate|DHCP_Option_To_Use|DHCPv6_Option_To_Use|User_Configurable_Resync|Profile_Authentication_Type|Transport_Protocol|IKM_HTTP_Encrypt_Content|License_Keys)$/;

export function appliesLiveByDefault(name: string): boolean {
  return LIVE.test(name);
}
