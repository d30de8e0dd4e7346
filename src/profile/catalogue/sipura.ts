import type { FamilyTable } from "./family_table.ts";
import { familyModels } from "./models.ts";

/**
 * Sipura SPA-2000 / SPA-3000 (firmware 2.0.x). No public full export of a Sipura-branded
 * unit was found: these rows are the ones checked against the Sipura administration
 * guide's parameter tables (provisioning, NAT, and the Line n "User Account
 * Information", "Proxy and Registration" and "Subscriber Information" sections), with
 * the Sipura defaults where they differ from the later Linksys firmware
 * (`Auth_Resync-Reboot` No, `Proxy_Redundancy_Method` lower case). Everything else the
 * later SPA2102 carries is not claimed for Sipura yet (README: incomplete).
 */
export const SIPURA: FamilyTable = {
  id: "sipura",
  title: "Sipura SPA-2000 / SPA-3000 (partial)",
  deviceFamily: "sipura",
  ua: "na",
  models: familyModels("sipura"),
  sections: [
    {
      group: "Provisioning/Configuration_Profile",
      rows: `
Provision_Enable ~ Yes
Resync_On_Reset ~ Yes
Resync_Random_Delay ~ 2 ~ t:0..65535
Resync_Periodic ~ 3600 ~ sched
Resync_Error_Retry_Delay ~ 3600 ~ sched
Forced_Resync_Delay ~ 14400 ~ t:0..65535
Resync_From_SIP ~ Yes
Resync_After_Upgrade_Attempt ~ Yes
Resync_Trigger_1 ~ ~ rule
Resync_Trigger_2 ~ ~ rule
Profile_Rule ~ /spa.cfg ~ rule
`,
    },
    {
      group: "Provisioning/Firmware_Upgrade",
      rows: `
Upgrade_Enable ~ Yes
Upgrade_Error_Retry_Delay ~ 3600 ~ sched
Downgrade_Rev_Limit ~ ~ ver
Upgrade_Rule ~ ~ rule
`,
    },
    {
      group: "SIP/RTP_Parameters",
      rows: `
RTP_Port_Min ~ 16384 ~ port
RTP_Port_Max ~ 16482 ~ port
`,
    },
    {
      group: "SIP/NAT_Support_Parameters",
      rows: `
EXT_RTP_Port_Min ~ 0 ~ port
NAT_Keep_Alive_Intvl ~ 15 ~ u16
`,
    },
    {
      group: "Regional/Call_Progress_Tones",
      type: "tone",
      rows: `
Dial_Tone ~ 350@-19,440@-19;10(*/0/1+2)
`,
    },
    {
      group: "Line_[n]/User_Account_Information",
      index: "line",
      rows: `
Line_Enable_[n]_ ~ Yes
MOH_Server_[n]_ ~ ~ s:127
SIP_Port_[n]_ ~ 5060 ~ port
EXT_SIP_Port_[n]_ ~ 0 ~ port
Auth_Resync-Reboot_[n]_ ~ No
SIP_Proxy-Require_[n]_
SIP_Remote-Party-ID_[n]_ ~ No
RTP_Log_Intvl_[n]_ ~ 0 ~ t:0..65535
Restrict_Source_IP_[n]_ ~ No
SIP_TOS_DiffServ_Value_[n]_ ~ 0x68 ~ u8
RTP_TOS_DiffServ_Value_[n]_ ~ 0xb8 ~ u8
NAT_Mapping_Enable_[n]_ ~ No
NAT_Keep_Alive_Enable_[n]_ ~ No
NAT_Keep_Alive_Msg_[n]_ ~ $NOTIFY
`,
    },
    {
      group: "Line_[n]/Proxy_and_Registration",
      index: "line",
      rows: `
Proxy_[n]_ ~ ~ host
Outbound_Proxy_[n]_ ~ ~ host
Use_Outbound_Proxy_[n]_ ~ No
Register_[n]_ ~ Yes
Make_Call_Without_Reg_[n]_ ~ No
Ans_Call_Without_Reg_[n]_ ~ No
Register_Expires_[n]_ ~ 3600 ~ i:0..2147483647
Use_DNS_SRV_[n]_ ~ No
DNS_SRV_Auto_Prefix_[n]_ ~ No
Proxy_Fallback_Intvl_[n]_ ~ 3600 ~ t:0..2147483647
Proxy_Redundancy_Method_[n]_ ~ normal ~ e:normal|Based on SRV Port
`,
    },
    {
      group: "Line_[n]/Subscriber_Information",
      index: "line",
      rows: `
Display_Name_[n]_ ~ ~ s:23
User_ID_[n]_ ~ ~ s:47
Password_[n]_ ~ ~ pw:23
Auth_ID_[n]_ ~ ~ s:39
Use_Auth_ID_[n]_ ~ No
`,
    },
    {
      group: "Line_[n]/Dial_Plan",
      index: "line",
      rows: `
Dial_Plan_[n]_ ~ (*xx|[3469]11|0|00|[2-9]xxxxxx|1xxx[2-9]xxxxxxS0|xxxxxxxxxxxx.) ~ dp
`,
    },
  ],
};
