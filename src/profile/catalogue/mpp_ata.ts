import { type FamilySection, type FamilyTable, tableSection } from "./family_table.ts";
import { familyModels } from "./models.ts";
import { SPA1XX } from "./spa1xx.ts";

/** A section the ATA19x shares unchanged with the SPA112/SPA122 (same firmware lineage). */
function shared(group: string): FamilySection {
  return tableSection(SPA1XX, group);
}

/** A SPA1xx section with rows added (the ATA19x firmware grew them). */
function extended(group: string, extra: string): FamilySection {
  const section = shared(group);
  return { ...section, rows: `${section.rows}${extra}` };
}

/**
 * Cisco ATA191 / ATA192 Multiplatform ATAs. Names, defaults and ua recorded from a public
 * full ATA192-MPP export (ua on every parameter), cross-checked with the ATA191 export;
 * groups from its tab/section headings. As on the SPA1xx, the router configuration is a
 * nested tree and is not catalogued here (time zone, NTP, VLAN, syslog live there).
 */
export const MPP_ATA: FamilyTable = {
  id: "mpp-ata",
  title: "Cisco ATA191 / ATA192 Multiplatform analog telephone adapters",
  deviceFamily: "mpp",
  ua: "na",
  models: familyModels("mpp-ata"),
  sections: [
    {
      group: "System/System_Configuration",
      rows: `
Restricted_Access_Domains ~ ~ dom5
IVR_Admin_Passwd ~ ~ pw
Network_Startup_Delay ~ 3 ~ i:0..255
`,
    },
    {
      group: "System/Miscellaneous_Settings",
      rows: `
DNS_Query_TTL_Ignore ~ No
`,
    },
    {
      group: "Provisioning/Account_Profile",
      ua: "rw",
      rows: `
User_ID ~ ~ uid
Password ~ ~ pw
`,
    },
    {
      group: "Provisioning/Configuration_Profile",
      rows: `
Provision_Enable ~ Yes
Resync_On_Reset ~ Yes
Resync_Random_Delay ~ 2 ~ t:0..65535
Resync_At__HHmm_ ~ ~ hhmm
Resync_At_Random_Delay ~ 600 ~ t:0..65535
Resync_Periodic ~ 3600 ~ sched
Resync_Error_Retry_Delay ~ 3600 ~ sched
Forced_Resync_Delay ~ 14400 ~ t:0..65535
Resync_From_SIP ~ Yes
Resync_After_Upgrade_Attempt ~ Yes
Resync_Trigger_1 ~ ~ rule
Resync_Trigger_2 ~ ~ rule
Resync_Fails_On_FNF ~ Yes
HTTPS_Name_Validate ~ Yes
Profile_Rule ~ /ata$PSN.cfg ~ rule
Profile_Rule_B ~ ~ rule
Profile_Rule_C ~ ~ rule
Profile_Rule_D ~ ~ rule
DHCP_Option_To_Use ~ 66,160,159,150 ~ nums
Transport_Protocol ~ HTTP ~ e:None|TFTP|HTTP|HTTPS
Log_Resync_Request_Msg ~ $PN $MAC -- Requesting resync $SCHEME://$SERVIP:$PORT$PATH ~ msg
Log_Resync_Success_Msg ~ $PN $MAC -- Successful resync $SCHEME://$SERVIP:$PORT$PATH ~ msg
Log_Resync_Failure_Msg ~ $PN $MAC -- Resync failed: $ERR ~ msg
Report_Rule ~ ~ rule
SP_Default ~ ~ s
`,
    },
    shared("Provisioning/Firmware_Upgrade"),
    shared("Provisioning/CA_Settings"),
    shared("Provisioning/General_Purpose_Parameters"),
    {
      group: "SIP/SIP_Parameters",
      rows: `
Max_Forward ~ 70 ~ i:1..255
Max_Redirection ~ 5 ~ i:0..255
Max_Auth ~ 2 ~ i:0..255
SIP_User_Agent_Name ~ $VERSION
SIP_Server_Name ~ $VERSION
SIP_Reg_User_Agent_Name
SIP_Reg_Starting_Sequence_Number ~ ~ s
SIP_Accept_Language
DTMF_Relay_MIME_Type ~ application/dtmf-relay
Hook_Flash_MIME_Type ~ application/hook-flash
Remove_Last_Reg ~ No
Use_Compact_Header ~ No
Escape_Display_Name ~ No
RFC_2543_Call_Hold ~ Yes
Mark_All_AVT_Packets ~ Yes
AVT_Packet_Size ~ ptime ~ s
SIP_TCP_Port_Min ~ 5060 ~ port
SIP_TCP_Port_Max ~ 5080 ~ port
CTI_Enable ~ No
Keep_Referee_When_REFER_Failed ~ No
Caller_ID_Header ~ PAID-RPID-FROM ~ e:PAID-RPID-FROM|PAID-FROM|RPID-PAID-FROM|RPID-FROM|FROM
`,
    },
    {
      group: "SIP/SIP_Timer_Values__sec_",
      type: "t3:0..65535",
      rows: `
SIP_T1 ~ .5 ~ t3:0..64
SIP_T2 ~ 4 ~ t3:0..64
SIP_T4 ~ 5 ~ t3:0..64
SIP_Timer_B ~ 32 ~ t3:0..64
SIP_Timer_F ~ 16 ~ t3:0..64
SIP_Timer_H ~ 32 ~ t3:0..64
SIP_Timer_D ~ 32 ~ t3:0..64
SIP_Timer_J ~ 32 ~ t3:0..64
INVITE_Expires ~ 240 ~ t:0..65535
ReINVITE_Expires ~ 30 ~ t:0..65535
Reg_Min_Expires ~ 1 ~ t:0..65535
Reg_Max_Expires ~ 7200 ~ t:0..65535
Reg_Retry_Intvl ~ 30 ~ t:0..65535
Reg_Retry_Long_Intvl ~ 1200 ~ t:0..65535
Reg_Retry_Random_Delay ~ 0 ~ t:0..65535
Reg_Retry_Long_Random_Delay ~ 0 ~ t:0..65535
Reg_Retry_Intvl_Cap ~ 0 ~ t:0..65535
`,
    },
    shared("SIP/Response_Status_Code_Handling"),
    {
      group: "SIP/RTP_Parameters",
      rows: `
RTP_Port_Min ~ 16384 ~ port
RTP_Port_Max ~ 32768 ~ port
RTP_Packet_Size ~ 0.020 ~ f3
RTP_Tx_Packet_Size_Follows_Remote_SDP ~ Yes
Max_RTP_ICMP_Err ~ 0 ~ i:0..65535
RTCP_Tx_Interval ~ 0 ~ t:0..255
No_UDP_Checksum ~ No
Stats_In_BYE ~ Yes
Call_Statistics ~ Yes
`,
    },
    shared("SIP/SDP_Payload_Types"),
    shared("SIP/NAT_Support_Parameters"),
    extended(
      "Regional/Call_Progress_Tones",
      `Call_Remind_Tone
`,
    ),
    shared("Regional/Distinctive_Ring_Patterns"),
    shared("Regional/Distinctive_Call_Waiting_Tone_Patterns"),
    shared("Regional/Distinctive_Ring_CWT_Pattern_Names"),
    shared("Regional/Ring_and_Call_Waiting_Tone_Spec"),
    shared("Regional/Control_Timer_Values__sec_"),
    shared("Regional/Vertical_Service_Activation_Codes"),
    shared("Regional/Vertical_Service_Announcement_Codes"),
    shared("Regional/Outbound_Call_Codec_Selection_Codes"),
    extended(
      "Regional/Miscellaneous",
      `DTMF_Twist ~ 2 ~ i:0..4
`,
    ),
    shared("Line_[n]/General"),
    shared("Line_[n]/Streaming_Audio_Server__SAS_"),
    shared("Line_[n]/NAT_Settings"),
    shared("Line_[n]/Network_Settings"),
    extended(
      "Line_[n]/SIP_Settings",
      `Broadsoft_ALTC_[n]_ ~ No
TLS_Name_Validate_[n]_ ~ Yes
`,
    ),
    extended(
      "Line_[n]/Call_Feature_Settings",
      `Feature_Key_Sync_[n]_ ~ No
Secure_Call_Option_[n]_ ~ Optional ~ e:Optional|Required
`,
    ),
    {
      group: "Line_[n]/E911_Geolocation_Configuration",
      index: "line",
      rows: `
Company_UUID_[n]_ ~ ~ s
Primary_Request_URL_[n]_ ~ ~ url
Secondary_Request_URL_[n]_ ~ ~ url
`,
    },
    {
      group: "Line_[n]/Proxy_and_Registration",
      index: "line",
      rows: `
Proxy_[n]_ ~ ~ host
Outbound_Proxy_[n]_ ~ ~ host
Use_Outbound_Proxy_[n]_ ~ No
Use_OB_Proxy_In_Dialog_[n]_ ~ Yes
Registrar_Server_[n]_ ~ ~ host
Register_[n]_ ~ Yes
Make_Call_Without_Reg_[n]_ ~ No
Register_Expires_[n]_ ~ 3600 ~ i:0..65535
Ans_Call_Without_Reg_[n]_ ~ No
Use_DNS_SRV_[n]_ ~ No
DNS_SRV_Auto_Prefix_[n]_ ~ No
Proxy_Fallback_Intvl_[n]_ ~ 3600 ~ t:0..65535
Proxy_Redundancy_Method_[n]_ ~ Normal ~ e:Normal|Based on SRV Port
Mailbox_Subscribe_URL_[n]_ ~ ~ s
Mailbox_Subscribe_Expires_[n]_ ~ 2147483647 ~ u32
Auto_Register_When_Failover_[n]_ ~ No
`,
    },
    shared("Line_[n]/Subscriber_Information"),
    extended(
      "Line_[n]/Supplementary_Service_Subscription",
      `CONFCID_Serv_[n]_ ~ Yes
`,
    ),
    {
      group: "Line_[n]/Audio_Configuration",
      index: "line",
      rows: `
Preferred_Codec_[n]_ ~ G711u ~ e:G711u|G711a|G726-32|G729a
Second_Preferred_Codec_[n]_ ~ Unspecified ~ e:Unspecified|G711u|G711a|G726-32|G729a
Third_Preferred_Codec_[n]_ ~ Unspecified ~ e:Unspecified|G711u|G711a|G726-32|G729a
Use_Pref_Codec_Only_[n]_ ~ No
Use_Remote_Pref_Codec_[n]_ ~ No
Codec_Negotiation_[n]_ ~ Default ~ e:Default|List All
G729a_Enable_[n]_ ~ Yes
Silence_Supp_Enable_[n]_ ~ No
G726-32_Enable_[n]_ ~ Yes
Silence_Threshold_[n]_ ~ medium ~ e:high|medium|low
FAX_V21_Detect_Enable_[n]_ ~ Yes
Echo_Canc_Enable_[n]_ ~ Yes
FAX_CNG_Detect_Enable_[n]_ ~ Yes
FAX_Passthru_Codec_[n]_ ~ G711u ~ e:G711u|G711a
FAX_Codec_Symmetric_[n]_ ~ Yes
DTMF_Process_INFO_[n]_ ~ Yes
FAX_Passthru_Method_[n]_ ~ ReINVITE ~ e:None|NSE|ReINVITE
DTMF_Process_AVT_[n]_ ~ Yes
FAX_Process_NSE_[n]_ ~ Yes
DTMF_Tx_Method_[n]_ ~ Auto ~ e:InBand|AVT|INFO|Auto
FAX_Disable_ECAN_[n]_ ~ No
DTMF_Tx_Mode_[n]_ ~ Strict ~ e:Normal|Strict
DTMF_Tx_Strict_Hold_Off_Time_[n]_ ~ 70 ~ i:40..250
FAX_Enable_T38_[n]_ ~ Yes
Hook_Flash_Tx_Method_[n]_ ~ None ~ e:None|AVT|INFO
FAX_T38_Redundancy_[n]_ ~ 1 ~ e:0|1|2|3
FAX_T38_ECM_Enable_[n]_ ~ Yes
FAX_Tone_Detect_Mode_[n]_ ~ caller or callee ~ e:caller or callee|caller only|callee only
Symmetric_RTP_[n]_ ~ No
FAX_T38_Return_to_Voice_[n]_ ~ No
Modem_Line_[n]_ ~ No
RTP_to_Proxy_in_Remote_Hold_[n]_ ~ No
`,
    },
    shared("Line_[n]/Dial_Plan"),
    extended(
      "Line_[n]/FXS_Port_Polarity_Configuration",
      `Profile_Stamp_[n]_ ~ ~ s
`,
    ),
    shared("User_[n]/Call_Forward_Settings"),
    shared("User_[n]/Selective_Call_Forward_Settings"),
    shared("User_[n]/Speed_Dial_Settings"),
    extended(
      "User_[n]/Supplementary_Service_Settings",
      `CONFCID_Setting_[n]_ ~ Yes
`,
    ),
    shared("User_[n]/Distinctive_Ring_Settings"),
    shared("User_[n]/Ring_Settings"),
  ],
};
