/**
 * Hand-written profiles from the spec's Appendix C (hosts and ports replaced by the test
 * servers'), and malformed ones.
 */

/**
 * Appendix C.1 staging profile; `prov` is `host:port` of the HTTPS provisioning server,
 * `fw` the firmware server of its Upgrade_Rule.
 */
export function stagingProfile(prov: string, fw = "prov.example.com"): string {
  return `<flat-profile>
  <!-- lock down and redirect -->
  <Admin_Passwd ua="na">S3cret-Admin</Admin_Passwd>
  <Restricted_Access_Domains ua="na">prov.example.com</Restricted_Access_Domains>
  <Resync_On_Reset ua="na">Yes</Resync_On_Reset>
  <Resync_Random_Delay ua="na">2</Resync_Random_Delay>
  <Resync_Periodic ua="na">3600+600</Resync_Periodic>
  <Resync_Error_Retry_Delay ua="na">1800,3600,7200,14400</Resync_Error_Retry_Delay>
  <Profile_Rule ua="na">https://${prov}/spa/init/$MA.xml</Profile_Rule>
  <Profile_Rule_B ua="na"></Profile_Rule_B>
  <Upgrade_Enable ua="na">Yes</Upgrade_Enable>
  <Upgrade_Rule ua="na">($SWVER ne 5.2.12)? http://${fw}/fw/spa2102-5-2-12.bin</Upgrade_Rule>
</flat-profile>
`;
}

export const DEVICE_KEY = "b4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a009";

/** Appendix C.2 per-device HTTPS bootstrap answer; `prov` is `host:port` of the HTTP server. */
export function bootstrapAnswer(prov: string): string {
  return `<flat-profile>
  <GPP_SA ua="na">${DEVICE_KEY}</GPP_SA>
  <GPP_B ua="na">q7Lm2Xv9Pd</GPP_B>
  <Profile_Rule ua="na">[--key $SA] http://${prov}/spa/$B/$MA.cfg</Profile_Rule>
  <Report_Rule ua="na">[--key $SA] http://${prov}/report/$MA.xml.enc</Report_Rule>
  <Line_Enable_1_ ua="na">Yes</Line_Enable_1_>
  <User_ID_1_ ua="na">4085551234</User_ID_1_>
  <Password_1_ ua="na">line-secret</Password_1_>
  <Display_Name_1_ ua="rw">J. Smith</Display_Name_1_>
</flat-profile>
`;
}

/** §3.2.1: the guide's nested example (unrecognised elements and attributes ignored). */
export function nestedProfile(rule: string): string {
  return `<?xml version='1.0'?>
<top-level>
  <!-- unrecognized element, ignored -->
  <generator> Telco Profile Compiler v.1.2 </generator>
  <!-- unrecognized attribute 'device' on flat-profile, ignored -->
  <flat-profile device="Linksys">
    <Resync_On_Reset> Yes </Resync_On_Reset>
    <Resync_Periodic> 7200 </Resync_Periodic>
    <Profile_Rule>
      ${rule}
    </Profile_Rule>
  </flat-profile>
</top-level>
`;
}

/** Profiles a device must reject as corrupt (§3.1 step 5, §6.5 class B). */
export const MALFORMED: Readonly<Record<string, string | Buffer>> = {
  "unclosed element": "<flat-profile><GPP_A>x</flat-profile>",
  "mismatched case": "<flat-profile><GPP_A>x</gpp_a></flat-profile>",
  "plain-text source (SPC input, not a device format)": 'GPP_A "x" ;\n',
  "truncated gzip": Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x01]),
  "empty file": "",
  "binary garbage": Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe]),
  "doctype entity trick":
    '<!DOCTYPE x [<!ENTITY a "b">]><flat-profile><GPP_A>&a;</GPP_A></flat-profile>',
};
