import type { FamilyTable } from "./family_table.ts";
import { familyModels } from "./models.ts";
import {
  PROVISIONING_GENERAL_PURPOSE_PARAMETERS,
  SIP_NAT_SUPPORT_PARAMETERS,
  SIP_RESPONSE_STATUS_CODE_HANDLING,
} from "./shared_sections.ts";

/**
 * Cisco SPA112 / SPA122 ATAs (SPA100 series, firmware 1.x), the Voice tabs. Names and
 * defaults recorded from a public SPA122 full export (see README); the router
 * configuration (`<router-configuration>`: WAN, DHCP server, time setup, SNMP) is a
 * nested tree, not flat-profile parameters, and is not catalogued. Groups follow the
 * Voice tab pages; factory ua is not in the export and is taken from the SPA2102 family.
 */
export const SPA1XX: FamilyTable = {
  id: "spa1xx",
  title: "Cisco SPA112 / SPA122 analog telephone adapters",
  deviceFamily: "spa",
  ua: "na",
  models: familyModels("spa1xx"),
  sections: [
    {
      group: "System/System_Configuration",
      rows: `
Restricted_Access_Domains ~ ~ dom5
Enable_Web_Admin_Access ~ Yes
IVR_Admin_Passwd ~ ~ pw
Network_Startup_Delay ~ 3 ~ i:0..255
DNS_Query_TTL_Ignore ~ No
`,
    },
    {
      group: "System/Miscellaneous_Settings",
      rows: `
Syslog_Server ~ ~ host
Debug_Server ~ ~ host
Debug_Level ~ 3 ~ e:0|1|2|3
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
Profile_Rule ~ /spa$PSN.cfg ~ rule
Profile_Rule_B ~ ~ rule
Profile_Rule_C ~ ~ rule
Profile_Rule_D ~ ~ rule
Log_Resync_Request_Msg ~ $PN $MAC -- Requesting resync $SCHEME://$SERVIP:$PORT$PATH ~ msg
Log_Resync_Success_Msg ~ $PN $MAC -- Successful resync $SCHEME://$SERVIP:$PORT$PATH ~ msg
Log_Resync_Failure_Msg ~ $PN $MAC -- Resync failed: $ERR ~ msg
Report_Rule ~ ~ rule
SP_Default ~ ~ s
`,
    },
    {
      group: "Provisioning/Firmware_Upgrade",
      rows: `
Upgrade_Enable ~ Yes
Upgrade_Error_Retry_Delay ~ 3600 ~ sched
Downgrade_Rev_Limit ~ ~ ver
Upgrade_Rule ~ ~ rule
Log_Upgrade_Request_Msg ~ $PN $MAC -- Requesting upgrade $SCHEME://$SERVIP:$PORT$PATH ~ msg
Log_Upgrade_Success_Msg ~ $PN $MAC -- Successful upgrade $SCHEME://$SERVIP:$PORT$PATH -- $ERR ~ msg
Log_Upgrade_Failure_Msg ~ $PN $MAC -- Upgrade failed: $ERR ~ msg
License_Keys ~ ~ s
Recovery_URL ~ ~ url
`,
    },
    {
      group: "Provisioning/CA_Settings",
      rows: `
Custom_CA_URL ~ ~ url
`,
    },
    PROVISIONING_GENERAL_PURPOSE_PARAMETERS,
    {
      group: "SIP/SIP_Parameters",
      rows: `
Max_Forward ~ 70 ~ i:1..255
Max_Redirection ~ 5 ~ i:0..255
Max_Auth ~ 2 ~ i:0..255
SIP_User_Agent_Name ~ $VERSION
SIP_Server_Name ~ $VERSION
SIP_Reg_User_Agent_Name
SIP_Accept_Language
DTMF_Relay_MIME_Type ~ application/dtmf-relay
Hook_Flash_MIME_Type ~ application/hook-flash
Remove_Last_Reg ~ No
Use_Compact_Header ~ No
Escape_Display_Name ~ No
RFC_2543_Call_Hold ~ Yes
Mark_All_AVT_Packets ~ Yes
SIP_TCP_Port_Min ~ 5060 ~ port
SIP_TCP_Port_Max ~ 5080 ~ port
CTI_Enable ~ No
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
SIP_Timer_F ~ 32 ~ t3:0..64
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
    SIP_RESPONSE_STATUS_CODE_HANDLING,
    {
      group: "SIP/RTP_Parameters",
      rows: `
RTP_Port_Min ~ 16384 ~ port
RTP_Port_Max ~ 16482 ~ port
RTP_Packet_Size ~ 0.020 ~ f3
Max_RTP_ICMP_Err ~ 0 ~ i:0..65535
RTCP_Tx_Interval ~ 0 ~ t:0..255
No_UDP_Checksum ~ No
Stats_In_BYE ~ Yes
`,
    },
    {
      group: "SIP/SDP_Payload_Types",
      rows: `
NSE_Dynamic_Payload ~ 100 ~ i:96..127
AVT_Dynamic_Payload ~ 101 ~ i:96..127
INFOREQ_Dynamic_Payload
G726r32_Dynamic_Payload ~ 2 ~ i:0..127
EncapRTP_Dynamic_Payload ~ 112 ~ i:96..127
RTP-Start-Loopback_Dynamic_Payload ~ 113 ~ i:96..127
RTP-Start-Loopback_Codec ~ G711u ~ e:G711u|G711a|G726-32|G729a
NSE_Codec_Name ~ NSE
AVT_Codec_Name ~ telephone-event
G711u_Codec_Name ~ PCMU
G711a_Codec_Name ~ PCMA
G726r32_Codec_Name ~ G726-32
G729a_Codec_Name ~ G729a
EncapRTP_Codec_Name ~ encaprtp
`,
    },
    SIP_NAT_SUPPORT_PARAMETERS,
    {
      group: "SIP/Linksys_Key_System_Parameters",
      rows: `
Linksys_Key_System ~ No
Multicast_Address ~ 224.168.168.168:6061 ~ host
Key_System_Auto_Discovery ~ Yes
Key_System_IP_Address ~ ~ ip
Force_LAN_Codec ~ none ~ e:none|G711u|G711a
Station_Name ~ ~ s:63
`,
    },
    {
      group: "Regional/Call_Progress_Tones",
      type: "tone",
      rows: `
Dial_Tone ~ 350@-19,440@-19;10(*/0/1+2)
Second_Dial_Tone ~ 420@-19,520@-19;10(*/0/1+2)
Outside_Dial_Tone ~ 420@-16;10(*/0/1)
Prompt_Tone ~ 520@-19,620@-19;10(*/0/1+2)
Busy_Tone ~ 480@-19,620@-19;10(.5/.5/1+2)
Reorder_Tone ~ 480@-19,620@-19;10(.25/.25/1+2)
Off_Hook_Warning_Tone ~ 480@-10,620@0;10(.125/.125/1+2)
Ring_Back_Tone ~ 440@-19,480@-19;*(2/4/1+2)
Ring_Back_2_Tone ~ 440@-19,480@-19;*(1/1/1+2)
Confirm_Tone ~ 600@-16;1(.25/.25/1)
SIT1_Tone ~ 985@-16,1428@-16,1777@-16;20(.380/0/1,.380/0/2,.380/0/3,0/4/0)
SIT2_Tone ~ 914@-16,1371@-16,1777@-16;20(.274/0/1,.274/0/2,.380/0/3,0/4/0)
SIT3_Tone ~ 914@-16,1371@-16,1777@-16;20(.380/0/1,.380/0/2,.380/0/3,0/4/0)
SIT4_Tone ~ 985@-16,1371@-16,1777@-16;20(.380/0/1,.274/0/2,.380/0/3,0/4/0)
MWI_Dial_Tone ~ 350@-19,440@-19;2(.1/.1/1+2);10(*/0/1+2)
Cfwd_Dial_Tone ~ 350@-19,440@-19;2(.2/.2/1+2);10(*/0/1+2)
Holding_Tone ~ 600@-19;*(.1/.1/1,.1/.1/1,.1/9.5/1)
Conference_Tone ~ 350@-19;20(.1/.1/1,.1/9.7/1)
Secure_Call_Indication_Tone ~ 397@-19,507@-19;15(0/2/0,.2/.1/1,.1/2.1/2)
Feature_Invocation_Tone ~ 350@-16;*(.1/.1/1)
`,
    },
    {
      group: "Regional/Distinctive_Ring_Patterns",
      type: "cad",
      rows: `
Ring1_Cadence ~ 60(2/4)
Ring2_Cadence ~ 60(.8/.4,.8/4)
Ring3_Cadence ~ 60(.4/.2,.4/.2,.8/4)
Ring4_Cadence ~ 60(.3/.2,1/.2,.3/4)
Ring5_Cadence ~ 1(.5/.5)
Ring6_Cadence ~ 60(.2/.4,.2/.4,.2/4)
Ring7_Cadence ~ 60(.4/.2,.4/.2,.4/4)
Ring8_Cadence ~ 60(0.25/9.75)
`,
    },
    {
      group: "Regional/Distinctive_Call_Waiting_Tone_Patterns",
      type: "cad",
      rows: `
CWT1_Cadence ~ *(.3/9.7)
CWT2_Cadence ~ 30(.1/.1, .1/9.7)
CWT3_Cadence ~ 30(.1/.1, .1/.1, .1/9.7)
CWT4_Cadence ~ 30(.1/.1,.3/.1,.1/9.3)
CWT5_Cadence ~ 1(.5/.5)
CWT6_Cadence ~ 30(.1/.1,.3/.2,.3/9.1)
CWT7_Cadence ~ 30(.3/.1,.3/.1,.1/9.1)
CWT8_Cadence ~ 2.3(.3/2)
`,
    },
    {
      group: "Regional/Distinctive_Ring_CWT_Pattern_Names",
      rows: `
Ring1_Name ~ Bellcore-r1
Ring2_Name ~ Bellcore-r2
Ring3_Name ~ Bellcore-r3
Ring4_Name ~ Bellcore-r4
Ring5_Name ~ Bellcore-r5
Ring6_Name ~ Bellcore-r6
Ring7_Name ~ Bellcore-r7
Ring8_Name ~ Bellcore-r8
`,
    },
    {
      group: "Regional/Ring_and_Call_Waiting_Tone_Spec",
      rows: `
Ring_Waveform ~ Trapezoid ~ e:Sinusoid|Trapezoid
Ring_Frequency ~ 20 ~ i:10..100
Ring_Voltage ~ 85 ~ i:60..90
CWT_Frequency ~ 440@-10
Synchronized_Ring ~ No
`,
    },
    {
      group: "Regional/Control_Timer_Values__sec_",
      type: "t3:0..65535",
      rows: `
Hook_Flash_Timer_Min ~ .1
Hook_Flash_Timer_Max ~ .9
Callee_On_Hook_Delay ~ 0
Reorder_Delay ~ 5
Call_Back_Expires ~ 1800
Call_Back_Retry_Intvl ~ 30
Call_Back_Delay ~ .5
VMWI_Refresh_Intvl ~ 0
Interdigit_Long_Timer ~ 10
Interdigit_Short_Timer ~ 3
CPC_Delay ~ 2
CPC_Duration ~ .5
`,
    },
    {
      group: "Regional/Vertical_Service_Activation_Codes",
      type: "code",
      rows: `
Call_Return_Code ~ *69
Call_Redial_Code ~ *07
Blind_Transfer_Code ~ *98
Call_Back_Act_Code ~ *66
Call_Back_Deact_Code ~ *86
Call_Back_Busy_Act_Code ~ *05
Cfwd_All_Act_Code ~ *72
Cfwd_All_Deact_Code ~ *73
Cfwd_Busy_Act_Code ~ *90
Cfwd_Busy_Deact_Code ~ *91
Cfwd_No_Ans_Act_Code ~ *92
Cfwd_No_Ans_Deact_Code ~ *93
Cfwd_Last_Act_Code ~ *63
Cfwd_Last_Deact_Code ~ *83
Block_Last_Act_Code ~ *60
Block_Last_Deact_Code ~ *80
Accept_Last_Act_Code ~ *64
Accept_Last_Deact_Code ~ *84
CW_Act_Code ~ *56
CW_Deact_Code ~ *57
CW_Per_Call_Act_Code ~ *71
CW_Per_Call_Deact_Code ~ *70
Block_CID_Act_Code ~ *67
Block_CID_Deact_Code ~ *68
Block_CID_Per_Call_Act_Code ~ *81
Block_CID_Per_Call_Deact_Code ~ *82
Block_ANC_Act_Code ~ *77
Block_ANC_Deact_Code ~ *87
DND_Act_Code ~ *78
DND_Deact_Code ~ *79
CID_Act_Code ~ *65
CID_Deact_Code ~ *85
CWCID_Act_Code ~ *25
CWCID_Deact_Code ~ *45
Dist_Ring_Act_Code ~ *26
Dist_Ring_Deact_Code ~ *46
Speed_Dial_Act_Code ~ *74
Paging_Code ~ *96
Secure_All_Call_Act_Code ~ *16
Secure_No_Call_Act_Code ~ *17
Secure_One_Call_Act_Code ~ *18
Secure_One_Call_Deact_Code ~ *19
Conference_Act_Code
Attn-Xfer_Act_Code
Modem_Line_Toggle_Code ~ *99
FAX_Line_Toggle_Code ~ #99
Media_Loopback_Code ~ *03
Referral_Services_Codes ~ ~ s
Feature_Dial_Services_Codes ~ ~ s
`,
    },
    {
      group: "Regional/Vertical_Service_Announcement_Codes",
      type: "s",
      rows: `
Service_Annc_Base_Number
Service_Annc_Extension_Codes
`,
    },
    {
      group: "Regional/Outbound_Call_Codec_Selection_Codes",
      type: "code",
      rows: `
Prefer_G711u_Code ~ *017110
Force_G711u_Code ~ *027110
Prefer_G711a_Code ~ *017111
Force_G711a_Code ~ *027111
Prefer_G726r32_Code ~ *0172632
Force_G726r32_Code ~ *0272632
Prefer_G729a_Code ~ *01729
Force_G729a_Code ~ *02729
`,
    },
    {
      group: "Regional/Miscellaneous",
      rows: `
FXS_Port_Impedance ~ 600 ~ e/600/900/600+2.16uF/900+2.16uF/270+750||150nF/220+820||120nF/220+820||115nF/200+600||100nF
FXS_Port_Input_Gain ~ -3 ~ f1
FXS_Port_Output_Gain ~ -3 ~ f1
DTMF_Playback_Level ~ -16 ~ i:-90..3
DTMF_Playback_Length ~ .1 ~ t3:0..65535
Detect_ABCD ~ Yes
Playback_ABCD ~ Yes
Caller_ID_Method ~ Bellcore(N.Amer,China) ~ e:Bellcore(N.Amer,China)|DTMF(Finland,Sweden)|DTMF(Denmark)|ETSI DTMF|ETSI DTMF With PR|ETSI DTMF After Ring|ETSI FSK|ETSI FSK With PR(UK)|DTMF(Denmark) With PR
Caller_ID_FSK_Standard ~ bell 202 ~ e:bell 202|v.23
Feature_Invocation_Method ~ Default ~ e:Default|Sweden
Protect_IVR_FactoryReset ~ No
Max_Session ~ 2 ~ i:1..2
`,
    },
    {
      group: "Line_[n]/General",
      index: "line",
      rows: `
Line_Enable_[n]_ ~ Yes
`,
    },
    {
      group: "Line_[n]/Streaming_Audio_Server__SAS_",
      index: "line",
      rows: `
SAS_Enable_[n]_ ~ No
SAS_DLG_Refresh_Intvl_[n]_ ~ 30 ~ t:0..65535
SAS_Inbound_RTP_Sink_[n]_ ~ ~ host
`,
    },
    {
      group: "Line_[n]/NAT_Settings",
      index: "line",
      rows: `
NAT_Mapping_Enable_[n]_ ~ No
NAT_Keep_Alive_Enable_[n]_ ~ No
NAT_Keep_Alive_Msg_[n]_ ~ $NOTIFY
NAT_Keep_Alive_Dest_[n]_ ~ $PROXY
`,
    },
    {
      group: "Line_[n]/Network_Settings",
      index: "line",
      rows: `
SIP_ToS_DiffServ_Value_[n]_ ~ 0x68 ~ u8
SIP_CoS_Value_[n]_ ~ 3 ~ i:0..7
RTP_ToS_DiffServ_Value_[n]_ ~ 0xb8 ~ u8
RTP_CoS_Value_[n]_ ~ 6 ~ i:0..7
Network_Jitter_Level_[n]_ ~ high ~ e:low|medium|high|very high|extremely high
Jitter_Buffer_Adjustment_[n]_ ~ Yes
`,
    },
    {
      group: "Line_[n]/SIP_Settings",
      index: "line",
      rows: `
SIP_Transport_[n]_ ~ UDP ~ e:UDP|TCP|TLS
SIP_Port_[n]_ ~ 5060 ~ port
SIP_100REL_Enable_[n]_ ~ No
EXT_SIP_Port_[n]_ ~ ~ s
Auth_Resync-Reboot_[n]_ ~ Yes
SIP_Proxy-Require_[n]_
SIP_Remote-Party-ID_[n]_ ~ Yes
SIP_GUID_[n]_ ~ No
SIP_Debug_Option_[n]_ ~ none ~ e/none/1-line/1-line excl. OPT/1-line excl. NTFY/1-line excl. REG/1-line excl. OPT|NTFY|REG/full/full excl. OPT/full excl. NTFY/full excl. REG/full excl. OPT|NTFY|REG
RTP_Log_Intvl_[n]_ ~ 0 ~ t:0..65535
Restrict_Source_IP_[n]_ ~ No
Referor_Bye_Delay_[n]_ ~ 4 ~ t:0..65535
Refer_Target_Bye_Delay_[n]_ ~ 0 ~ t:0..65535
Referee_Bye_Delay_[n]_ ~ 0 ~ t:0..65535
Refer-To_Target_Contact_[n]_ ~ No
Sticky_183_[n]_ ~ No
Auth_INVITE_[n]_ ~ No
Reply_182_On_Call_Waiting_[n]_ ~ No
Use_Anonymous_With_RPID_[n]_ ~ Yes
Use_Local_Addr_In_FROM_[n]_ ~ No
`,
    },
    {
      group: "Line_[n]/Call_Feature_Settings",
      index: "line",
      rows: `
Blind_Attn-Xfer_Enable_[n]_ ~ No
MOH_Server_[n]_ ~ ~ s
Xfer_When_Hangup_Conf_[n]_ ~ Yes
Conference_Bridge_URL_[n]_ ~ ~ s
Conference_Bridge_Ports_[n]_ ~ 3 ~ e:3|4|5|6|7|8|9|10
Enable_IP_Dialing_[n]_ ~ No
Emergency_Number_[n]_ ~ ~ s
Mailbox_ID_[n]_ ~ ~ s
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
Register_[n]_ ~ Yes
Make_Call_Without_Reg_[n]_ ~ No
Register_Expires_[n]_ ~ 3600 ~ i:0..65535
Ans_Call_Without_Reg_[n]_ ~ No
Use_DNS_SRV_[n]_ ~ No
DNS_SRV_Auto_Prefix_[n]_ ~ No
Proxy_Fallback_Intvl_[n]_ ~ 3600 ~ t:0..65535
Proxy_Redundancy_Method_[n]_ ~ Normal ~ e:Normal|Based on SRV Port
Mailbox_Subscribe_URL_[n]_ ~ ~ s
Mailbox_Subscribe_Expires_[n]_ ~ ~ s
`,
    },
    {
      group: "Line_[n]/Subscriber_Information",
      index: "line",
      rows: `
Display_Name_[n]_ ~ ~ s:127
User_ID_[n]_ ~ ~ uid
Password_[n]_ ~ ~ pw
Use_Auth_ID_[n]_ ~ No
Auth_ID_[n]_ ~ ~ uid
Resident_Online_Number_[n]_ ~ ~ phone
SIP_URI_[n]_ ~ ~ s
`,
    },
    {
      group: "Line_[n]/Supplementary_Service_Subscription",
      index: "line",
      rows: `
Call_Waiting_Serv_[n]_ ~ Yes
Block_CID_Serv_[n]_ ~ Yes
Block_ANC_Serv_[n]_ ~ Yes
Dist_Ring_Serv_[n]_ ~ Yes
Cfwd_All_Serv_[n]_ ~ Yes
Cfwd_Busy_Serv_[n]_ ~ Yes
Cfwd_No_Ans_Serv_[n]_ ~ Yes
Cfwd_Sel_Serv_[n]_ ~ Yes
Cfwd_Last_Serv_[n]_ ~ Yes
Block_Last_Serv_[n]_ ~ Yes
Accept_Last_Serv_[n]_ ~ Yes
DND_Serv_[n]_ ~ Yes
CID_Serv_[n]_ ~ Yes
CWCID_Serv_[n]_ ~ Yes
Call_Return_Serv_[n]_ ~ Yes
Call_Redial_Serv_[n]_ ~ Yes
Call_Back_Serv_[n]_ ~ Yes
Three_Way_Call_Serv_[n]_ ~ Yes
Three_Way_Conf_Serv_[n]_ ~ Yes
Attn_Transfer_Serv_[n]_ ~ Yes
Unattn_Transfer_Serv_[n]_ ~ Yes
MWI_Serv_[n]_ ~ Yes
VMWI_Serv_[n]_ ~ Yes
Speed_Dial_Serv_[n]_ ~ Yes
Secure_Call_Serv_[n]_ ~ Yes
Referral_Serv_[n]_ ~ Yes
Feature_Dial_Serv_[n]_ ~ Yes
Service_Announcement_Serv_[n]_ ~ No
Reuse_CID_Number_As_Name_[n]_ ~ Yes
`,
    },
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
FAX_Passthru_Method_[n]_ ~ NSE ~ e:None|NSE|ReINVITE
DTMF_Process_AVT_[n]_ ~ Yes
FAX_Process_NSE_[n]_ ~ Yes
DTMF_Tx_Method_[n]_ ~ Auto ~ e:InBand|AVT|INFO|Auto|InBand+INFO|AVT+INFO
FAX_Disable_ECAN_[n]_ ~ No
DTMF_Tx_Mode_[n]_ ~ Strict ~ e:Normal|Strict
DTMF_Tx_Strict_Hold_Off_Time_[n]_ ~ 70 ~ i:40..250
FAX_Enable_T38_[n]_ ~ No
Hook_Flash_Tx_Method_[n]_ ~ None ~ e:None|AVT|INFO
FAX_T38_Redundancy_[n]_ ~ 1 ~ e:0|1|2|3
FAX_T38_ECM_Enable_[n]_ ~ Yes
FAX_Tone_Detect_Mode_[n]_ ~ caller or callee ~ e:caller or callee|caller only|callee only
Symmetric_RTP_[n]_ ~ No
FAX_T38_Return_to_Voice_[n]_ ~ No
`,
    },
    {
      group: "Line_[n]/Dial_Plan",
      index: "line",
      rows: `
Dial_Plan_[n]_ ~ (*xx|[3469]11|0|00|[2-9]xxxxxx|1xxx[2-9]xxxxxxS0|xxxxxxxxxxxx.) ~ dp
`,
    },
    {
      group: "Line_[n]/FXS_Port_Polarity_Configuration",
      index: "line",
      type: "e:Forward|Reverse",
      rows: `
Idle_Polarity_[n]_ ~ Forward
Caller_Conn_Polarity_[n]_ ~ Forward
Callee_Conn_Polarity_[n]_ ~ Forward
`,
    },
    {
      group: "User_[n]/Call_Forward_Settings",
      index: "user",
      ua: "rw",
      type: "phone",
      rows: `
Cfwd_All_Dest_[n]_
Cfwd_Busy_Dest_[n]_
Cfwd_No_Ans_Dest_[n]_
Cfwd_No_Ans_Delay_[n]_ ~ 20 ~ t:0..255
`,
    },
    {
      group: "User_[n]/Selective_Call_Forward_Settings",
      index: "user",
      ua: "rw",
      type: "s",
      rows: `
Cfwd_Sel1_Caller_[n]_
Cfwd_Sel1_Dest_[n]_
Cfwd_Sel2_Caller_[n]_
Cfwd_Sel2_Dest_[n]_
Cfwd_Sel3_Caller_[n]_
Cfwd_Sel3_Dest_[n]_
Cfwd_Sel4_Caller_[n]_
Cfwd_Sel4_Dest_[n]_
Cfwd_Sel5_Caller_[n]_
Cfwd_Sel5_Dest_[n]_
Cfwd_Sel6_Caller_[n]_
Cfwd_Sel6_Dest_[n]_
Cfwd_Sel7_Caller_[n]_
Cfwd_Sel7_Dest_[n]_
Cfwd_Sel8_Caller_[n]_
Cfwd_Sel8_Dest_[n]_
Cfwd_Last_Caller_[n]_
Cfwd_Last_Dest_[n]_
Block_Last_Caller_[n]_
Accept_Last_Caller_[n]_
`,
    },
    {
      group: "User_[n]/Speed_Dial_Settings",
      index: "user",
      ua: "rw",
      type: "phone",
      rows: `
Speed_Dial_2_[n]_
Speed_Dial_3_[n]_
Speed_Dial_4_[n]_
Speed_Dial_5_[n]_
Speed_Dial_6_[n]_
Speed_Dial_7_[n]_
Speed_Dial_8_[n]_
Speed_Dial_9_[n]_
`,
    },
    {
      group: "User_[n]/Supplementary_Service_Settings",
      index: "user",
      ua: "rw",
      rows: `
CW_Setting_[n]_ ~ Yes
Block_CID_Setting_[n]_ ~ No
Block_ANC_Setting_[n]_ ~ No
DND_Setting_[n]_ ~ No
CID_Setting_[n]_ ~ Yes
CWCID_Setting_[n]_ ~ Yes
Dist_Ring_Setting_[n]_ ~ Yes
Secure_Call_Setting_[n]_ ~ No ~ ~ na
Message_Waiting_[n]_ ~ No
Accept_Media_Loopback_Request_[n]_ ~ automatic ~ e:never|automatic|manual ~ na
Media_Loopback_Mode_[n]_ ~ source ~ e:source|mirror ~ na
Media_Loopback_Type_[n]_ ~ media ~ e:media|packet ~ na
`,
    },
    {
      group: "User_[n]/Distinctive_Ring_Settings",
      index: "user",
      ua: "rw",
      type: "s",
      rows: `
Ring1_Caller_[n]_
Ring2_Caller_[n]_
Ring3_Caller_[n]_
Ring4_Caller_[n]_
Ring5_Caller_[n]_
Ring6_Caller_[n]_
Ring7_Caller_[n]_
Ring8_Caller_[n]_
`,
    },
    {
      group: "User_[n]/Ring_Settings",
      index: "user",
      ua: "rw",
      rows: `
Default_Ring_[n]_ ~ 1 ~ e:1|2|3|4|5|6|7|8
Default_CWT_[n]_ ~ 1 ~ e:1|2|3|4|5|6|7|8
Hold_Reminder_Ring_[n]_ ~ 8 ~ e:1|2|3|4|5|6|7|8|none
Call_Back_Ring_[n]_ ~ 7 ~ e:1|2|3|4|5|6|7|8
Cfwd_Ring_Splash_Len_[n]_ ~ 0 ~ t1:0..10
Cblk_Ring_Splash_Len_[n]_ ~ 0 ~ t1:0..10
VMWI_Ring_Policy_[n]_ ~ New VM Available ~ e:New VM Available|New VM Becomes Available|New VM Arrives ~ na
VMWI_Ring_Splash_Len_[n]_ ~ 0 ~ t1:0..10
Ring_On_No_New_VM_[n]_ ~ No ~ ~ na
`,
    },
  ],
};
