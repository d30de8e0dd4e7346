import { type FamilySection, type FamilyTable, tableSection } from "./family_table.ts";
import { familyModels } from "./models.ts";
import { SPA_OUTBOUND_CALL_CODEC_SELECTION_CODES } from "./shared_sections.ts";
import { SPA1XX } from "./spa1xx.ts";

/** A section of the SPA1xx table that the older ATAs share unchanged. */
function shared(group: string): FamilySection {
  return tableSection(SPA1XX, group);
}

const ROUTER = ["SPA2102", "SPA3102"];
const CODECS = "G711u|G711a|G726-16|G726-24|G726-32|G726-40|G729a|G723";

/**
 * Linksys / Cisco SPA2102, SPA3102 and SPA8000 ATAs (firmware 5.x / 6.x). Names,
 * defaults and ua recorded from a public factory-reset profile of the family and a
 * public SPA3102 5.1.10 default set (see README). Router tabs exist on the SPA2102 and
 * SPA3102 only. Not covered yet: the SPA3102 PSTN Line tab and the SPA8000 trunk
 * groups (no public export found).
 */
export const SPA_ATA: FamilyTable = {
  id: "spa-ata",
  title: "Linksys / Cisco SPA2102, SPA3102, SPA8000 analog telephone adapters",
  deviceFamily: "spa",
  ua: "na",
  models: familyModels("spa-ata"),
  sections: [
    {
      group: "Router/WAN_Setup/Internet_Connection_Settings",
      ua: "rw",
      rows: `
Connection_Type ~ DHCP ~ e:DHCP|Static IP|PPPOE|PPPOE,DHCP|DHCP,PPPOE
Static_IP ~ ~ ip
NetMask ~ ~ ip
Gateway ~ ~ ip
PPPOE_Login_Name
PPPOE_Login_Password ~ ~ pw
PPPOE_Service_Name
HostName
Domain
Primary_DNS ~ ~ ip
Secondary_DNS ~ ~ ip
DNS_Server_Order ~ Manual ~ e:Manual|Manual,DHCP|DHCP,Manual ~ na
DNS_Query_Mode ~ Parallel ~ e:Parallel|Sequential ~ na
Primary_NTP_Server ~ ~ host ~ na
Secondary_NTP_Server ~ ~ host ~ na
DHCP_IP_Revalidate_Timer ~ 0 ~ t:0..65535 ~ na
`,
    },
    {
      group: "Router/WAN_Setup/Remote_Management",
      ua: "rw",
      rows: `
Enable_WAN_Web_Server ~ Yes
WAN_Web_Server_Port ~ 80 ~ port
`,
    },
    {
      group: "Router/WAN_Setup/QOS_Settings",
      ua: "rw",
      models: ROUTER,
      rows: `
QOS_Policy ~ Always On ~ e:Always On|On When Phone In Use ~ na
QOS_QDisc ~ NONE ~ e:NONE|TBF
Maximum_Uplink_Speed ~ 128 ~ i:0..100000
`,
    },
    {
      group: "Router/WAN_Setup/VLAN_Settings",
      ua: "rw",
      rows: `
Enable_VLAN ~ No
VLAN_ID ~ 1 ~ i:1..4095
`,
    },
    {
      group: "Router/LAN_Setup/LAN_Network_Settings",
      ua: "rw",
      models: ROUTER,
      rows: `
Networking_Service ~ NAT ~ e:NAT|Bridge|Auto
Auto_NetService_Private_IP_Ranges ~ 10.0.0.0-10.255.255.255,192.168.0.0-192.168.255.255,172.16.0.0-172.31.255.255
LAN_IP_Address ~ 192.168.0.1 ~ ip
LAN_Subnet_Mask ~ 255.255.255.0 ~ e:255.255.255.0|255.255.255.128|255.255.255.192|255.255.255.224|255.255.255.240|255.255.255.248|255.255.255.252
Enable_DHCP_Server ~ Yes
DHCP_Lease_Time ~ 24 ~ i:0..65535
DHCP_Client_Starting_IP_Address ~ 2 ~ i:1..254
Number_of_Client_IP_Addresses ~ 50 ~ i:0..253
Enable_MAC_Clone_Service ~ No
Cloned_MAC_Address
`,
    },
    {
      group: "Router/Application",
      ua: "rw",
      models: ROUTER,
      rows: `
Enable_DMZ ~ No
DMZ_Host_IP_Address ~ 0 ~ i:0..254
Multicast_Passthru ~ Disabled ~ e:Disabled|Inbound Only|Outbound Only|Inbound and Outbound
Starting_Port ~ 50000 ~ port
Num_of_Ports_Reserved ~ 256 ~ e:256|512|1024
`,
    },
    {
      group: "System/System_Configuration",
      rows: `
Restricted_Access_Domains ~ ~ dom5
Enable_Web_Admin_Access ~ Yes
Admin_Passwd ~ ~ pw
User_Password ~ ~ pw ~ rw
`,
    },
    {
      group: "System/Miscellaneous_Settings",
      rows: `
Syslog_Server ~ ~ host
Debug_Server ~ ~ host
Debug_Level ~ 0 ~ e:0|1|2|3
`,
    },
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
Resync_Fails_On_FNF ~ Yes
Profile_Rule ~ /spa$PSN.cfg ~ rule
Profile_Rule_B ~ ~ rule
Profile_Rule_C ~ ~ rule
Profile_Rule_D ~ ~ rule
Log_Resync_Request_Msg ~ $PN $MAC -- Requesting resync $SCHEME://$SERVIP:$PORT$PATH ~ msg
Log_Resync_Success_Msg ~ $PN $MAC -- Successful resync $SCHEME://$SERVIP:$PORT$PATH ~ msg
Log_Resync_Failure_Msg ~ $PN $MAC -- Resync failed: $ERR ~ msg
Report_Rule ~ ~ rule
`,
    },
    shared("Provisioning/Firmware_Upgrade"),
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
`,
    },
    shared("SIP/SIP_Timer_Values__sec_"),
    shared("SIP/Response_Status_Code_Handling"),
    {
      group: "SIP/RTP_Parameters",
      rows: `
RTP_Port_Min ~ 16384 ~ port
RTP_Port_Max ~ 16482 ~ port
RTP_Packet_Size ~ 0.030 ~ f3
Max_RTP_ICMP_Err ~ 0 ~ i:0..65535
RTCP_Tx_Interval ~ 0 ~ t:0..255
No_UDP_Checksum ~ No
Stats_In_BYE ~ No
`,
    },
    {
      group: "SIP/SDP_Payload_Types",
      rows: `
NSE_Dynamic_Payload ~ 100 ~ i:96..127
AVT_Dynamic_Payload ~ 101 ~ i:96..127
INFOREQ_Dynamic_Payload
G726r16_Dynamic_Payload ~ 98 ~ i:96..127
G726r24_Dynamic_Payload ~ 97 ~ i:96..127
G726r32_Dynamic_Payload ~ 2 ~ i:0..127
G726r40_Dynamic_Payload ~ 96 ~ i:96..127
G729b_Dynamic_Payload ~ 99 ~ i:96..127
EncapRTP_Dynamic_Payload ~ 112 ~ i:96..127
RTP-Start-Loopback_Dynamic_Payload ~ 113 ~ i:96..127
RTP-Start-Loopback_Codec ~ G711u ~ e:${CODECS}
NSE_Codec_Name ~ NSE
AVT_Codec_Name ~ telephone-event
G711u_Codec_Name ~ PCMU
G711a_Codec_Name ~ PCMA
G726r16_Codec_Name ~ G726-16
G726r24_Codec_Name ~ G726-24
G726r32_Codec_Name ~ G726-32
G726r40_Codec_Name ~ G726-40
G729a_Codec_Name ~ G729a
G729b_Codec_Name ~ G729ab
G723_Codec_Name ~ G723
EncapRTP_Codec_Name ~ encaprtp
`,
    },
    {
      group: "SIP/NAT_Support_Parameters",
      rows: `
Handle_VIA_received ~ No
Handle_VIA_rport ~ No
Insert_VIA_received ~ No
Insert_VIA_rport ~ No
Substitute_VIA_Addr ~ No
Send_Resp_To_Src_Port ~ No
STUN_Enable ~ No
STUN_Test_Enable ~ No
STUN_Server ~ ~ host
TURN_Server ~ ~ host
Auth_Server ~ ~ host
EXT_IP ~ ~ ip
EXT_RTP_Port_Min ~ ~ s
NAT_Keep_Alive_Intvl ~ 15 ~ t:0..65535
`,
    },
    shared("Regional/Call_Progress_Tones"),
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
Ring9_Cadence ~ 60(.4/.2,.4/2)
`,
    },
    {
      group: "Regional/Distinctive_Call_Waiting_Tone_Patterns",
      type: "cad",
      rows: `
CWT1_Cadence ~ 30(.3/9.7)
CWT2_Cadence ~ 30(.1/.1, .1/9.7)
CWT3_Cadence ~ 30(.1/.1, .1/.1, .1/9.7)
CWT4_Cadence ~ 30(.1/.1,.3/.1,.1/9.3)
CWT5_Cadence ~ 1(.5/.5)
CWT6_Cadence ~ 30(.1/.1,.3/.2,.3/9.1)
CWT7_Cadence ~ 30(.3/.1,.3/.1,.1/9.1)
CWT8_Cadence ~ 2.3(.3/2)
CWT9_Cadence ~ 30(.3/9.7)
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
Ring9_Name ~ Bellcore-r9
`,
    },
    {
      group: "Regional/Ring_and_Call_Waiting_Tone_Spec",
      rows: `
Ring_Waveform ~ Trapezoid ~ e:Sinusoid|Trapezoid
Ring_Frequency ~ 20 ~ i:10..100
Ring_Voltage ~ 85 ~ i:60..90
CWT_Frequency ~ 440@-10
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
CPC_Duration ~ 0
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
    shared("Regional/Vertical_Service_Announcement_Codes"),
    SPA_OUTBOUND_CALL_CODEC_SELECTION_CODES,
    {
      group: "Regional/Miscellaneous",
      rows: `
Set_Local_Date__mm_dd_ ~ ~ s
Set_Local_Time__HH_mm_ ~ ~ s
Time_Zone ~ GMT-08:00 ~ tz
FXS_Port_Impedance ~ 600 ~ e/600/900/600+2.16uF/900+2.16uF/270+750||150nF/220+820||120nF/220+820||115nF/200+600||100nF
Daylight_Saving_Time_Rule ~ start=4/1/7;end=10/-1/7;save=1 ~ dst
Daylight_Saving_Time_Enable ~ Yes
FXS_Port_Input_Gain ~ -3 ~ f1
FXS_Port_Output_Gain ~ -3 ~ f1
DTMF_Playback_Level ~ -16 ~ i:-90..3
DTMF_Playback_Length ~ .1 ~ t3:0..65535
Detect_ABCD ~ Yes
Playback_ABCD ~ Yes
Caller_ID_Method ~ Bellcore(N.Amer,China) ~ e:Bellcore(N.Amer,China)|DTMF(Finland,Sweden)|DTMF(Denmark)|ETSI DTMF|ETSI DTMF With PR|ETSI DTMF After Ring|ETSI FSK|ETSI FSK With PR(UK)|DTMF(Denmark) With PR
Caller_ID_FSK_Standard ~ bell 202 ~ e:bell 202|v.23
Feature_Invocation_Method ~ Default ~ e:Default|Sweden
More_Echo_Suppression ~ No
Protect_IVR_FactoryReset ~ No
`,
    },
    shared("Line_[n]/General"),
    shared("Line_[n]/Streaming_Audio_Server__SAS_"),
    shared("Line_[n]/NAT_Settings"),
    {
      group: "Line_[n]/Network_Settings",
      index: "line",
      rows: `
SIP_ToS_DiffServ_Value_[n]_ ~ 0x68 ~ u8
SIP_CoS_Value_[n]_ ~ 3 ~ i:0..7
RTP_ToS_DiffServ_Value_[n]_ ~ 0xb8 ~ u8
RTP_CoS_Value_[n]_ ~ 6 ~ i:0..7
Network_Jitter_Level_[n]_ ~ high ~ e:low|medium|high|very high|extremely high
Jitter_Buffer_Adjustment_[n]_ ~ up and down ~ e:up and down|up only|down only|disable
`,
    },
    shared("Line_[n]/SIP_Settings"),
    {
      group: "Line_[n]/Call_Feature_Settings",
      index: "line",
      rows: `
Blind_Attn-Xfer_Enable_[n]_ ~ No
MOH_Server_[n]_ ~ ~ s
Xfer_When_Hangup_Conf_[n]_ ~ Yes
Conference_Bridge_URL_[n]_ ~ ~ s
Conference_Bridge_Ports_[n]_ ~ 3 ~ e:3|4|5|6|7|8|9|10
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
Voice_Mail_Server_[n]_ ~ ~ host
Mailbox_Subscribe_Expires_[n]_ ~ 2147483647 ~ u32
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
Mini_Certificate_[n]_ ~ ~ s
SRTP_Private_Key_[n]_ ~ ~ pw
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
`,
    },
    {
      group: "Line_[n]/Audio_Configuration",
      index: "line",
      rows: `
Preferred_Codec_[n]_ ~ G711u ~ e:${CODECS}
Second_Preferred_Codec_[n]_ ~ Unspecified ~ e:Unspecified|${CODECS}
Third_Preferred_Codec_[n]_ ~ Unspecified ~ e:Unspecified|${CODECS}
Use_Pref_Codec_Only_[n]_ ~ No
Silence_Supp_Enable_[n]_ ~ No
Silence_Threshold_[n]_ ~ medium ~ e:high|medium|low
G729a_Enable_[n]_ ~ Yes
Echo_Canc_Enable_[n]_ ~ Yes
G723_Enable_[n]_ ~ Yes
Echo_Canc_Adapt_Enable_[n]_ ~ Yes
G726-16_Enable_[n]_ ~ Yes
Echo_Supp_Enable_[n]_ ~ Yes
G726-24_Enable_[n]_ ~ Yes
FAX_CED_Detect_Enable_[n]_ ~ Yes
G726-32_Enable_[n]_ ~ Yes
FAX_CNG_Detect_Enable_[n]_ ~ Yes
G726-40_Enable_[n]_ ~ Yes
FAX_Passthru_Codec_[n]_ ~ G711u ~ e:G711u|G711a
DTMF_Process_INFO_[n]_ ~ Yes
FAX_Codec_Symmetric_[n]_ ~ Yes
DTMF_Process_AVT_[n]_ ~ Yes
FAX_Passthru_Method_[n]_ ~ NSE ~ e:None|NSE|ReINVITE
DTMF_Tx_Method_[n]_ ~ Auto ~ e:InBand|AVT|INFO|Auto|InBand+INFO|AVT+INFO
DTMF_Tx_Mode_[n]_ ~ Strict ~ e:Normal|Strict
DTMF_Tx_Strict_Hold_Off_Time_[n]_ ~ 40 ~ i:40..250
FAX_Process_NSE_[n]_ ~ Yes
Hook_Flash_Tx_Method_[n]_ ~ None ~ e:None|AVT|INFO
FAX_Disable_ECAN_[n]_ ~ No
Release_Unused_Codec_[n]_ ~ Yes
FAX_Enable_T38_[n]_ ~ Yes
FAX_T38_Redundancy_[n]_ ~ 1 ~ e:0|1|2|3
FAX_T38_V29_Only_[n]_ ~ No
FAX_Tone_Detect_Mode_[n]_ ~ caller or callee ~ e:caller or callee|caller only|callee only
Audio_Dump_Option1_[n]_ ~ none ~ e:nb_in|nb_out|full|all_lines_full|none
Audio_Dump_Option2_[n]_ ~ none ~ e:nb_in|nb_out|full|all_lines_full|none
`,
    },
    {
      group: "Line_[n]/Dial_Plan",
      index: "line",
      rows: `
Dial_Plan_[n]_ ~ (*xx|[3469]11|0|00|[2-9]xxxxxx|1xxx[2-9]xxxxxxS0|xxxxxxxxxxxx.) ~ dp
Enable_IP_Dialing_[n]_ ~ No
Emergency_Number_[n]_ ~ ~ s
`,
    },
    shared("Line_[n]/FXS_Port_Polarity_Configuration"),
    shared("User_[n]/Call_Forward_Settings"),
    shared("User_[n]/Selective_Call_Forward_Settings"),
    shared("User_[n]/Speed_Dial_Settings"),
    shared("User_[n]/Supplementary_Service_Settings"),
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
Ring9_Caller_[n]_ ~ ~ ~ na
`,
    },
    {
      group: "User_[n]/Ring_Settings",
      index: "user",
      ua: "rw",
      rows: `
Default_Ring_[n]_ ~ 1 ~ e:1|2|3|4|5|6|7|8|9
Default_CWT_[n]_ ~ 1 ~ e:1|2|3|4|5|6|7|8|9
Hold_Reminder_Ring_[n]_ ~ 8 ~ e:1|2|3|4|5|6|7|8|9|none
Call_Back_Ring_[n]_ ~ 7 ~ e:1|2|3|4|5|6|7|8|9
Cfwd_Ring_Splash_Len_[n]_ ~ 0 ~ t1:0..10
Cblk_Ring_Splash_Len_[n]_ ~ 0 ~ t1:0..10
VMWI_Ring_Splash_Len_[n]_ ~ 0 ~ t1:0..10
VMWI_Ring_Policy_[n]_ ~ New VM Available ~ e:New VM Available|New VM Becomes Available|New VM Arrives ~ na
Ring_On_No_New_VM_[n]_ ~ No ~ ~ na
`,
    },
  ],
};
