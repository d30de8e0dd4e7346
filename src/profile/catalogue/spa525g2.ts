import type { FamilyTable } from "./family_table.ts";
import { familyModels } from "./models.ts";
import {
  PHONE_DISTINCTIVE_RING_PATTERNS,
  PHONE_EXT_NAT_SETTINGS,
  PHONE_GENERAL_PURPOSE_PARAMETERS,
  SIP_NAT_SUPPORT_PARAMETERS,
  SIP_RESPONSE_STATUS_CODE_HANDLING,
  SPA_PHONE_FIRMWARE_UPGRADE,
  SPA_PHONE_LINE_KEY_LED_PATTERN,
  SPA_PHONE_SIP_TIMER_VALUES,
  SPA_PHONE_VERTICAL_SERVICE_ACTIVATION_CODES,
  WIFI_PROFILES_2_3_ROWS,
} from "./shared_sections.ts";

const CODECS = "G711u|G711a|G726-32|G729a|G722";
const S525 = ["SPA525G2"];
const SIDECAR = ["SPA525G2"];

/** The four camera profiles of the SPA525G2 User tab (not a per-user index). */
function cameraRows(n: number): string {
  return [
    `Camera_Name_${n}_`,
    `Access_URL_${n}_ ~ ~ url`,
    `Access_User_Name_${n}_`,
    `Access_Password_${n}_ ~ ~ pw`,
    `Associated_Caller_ID_${n}_`,
    `Door_Control_URL_${n}_ ~ ~ url`,
  ].join("\n");
}

/**
 * Cisco SPA525G2 (firmware 7.x). Names, groups (`group="…"` as the device writes it) and
 * defaults recorded from a public SPA525G2 full export; the `Info/…` status groups are
 * read-only and left out. The export carries no ua: factory access follows the SPA50x
 * export of the same firmware line for shared rows (User tab rw, the rest na).
 */
export const SPA525G2: FamilyTable = {
  id: "spa525g2",
  title: "Cisco SPA525G2 IP phone",
  deviceFamily: "spa",
  ua: "na",
  models: familyModels("spa525g2"),
  sections: [
    {
      group: "System/System_Configuration",
      rows: `
Restricted_Access_Domains ~ ~ dom5
Enable_Web_Server ~ Yes
Web_Server_Port ~ 80 ~ port
Enable_Web_Admin_Access ~ Yes
Admin_Password ~ ~ pw
User_Password ~ ~ pw
Phone-UI-user-mode ~ No
SPA525-protocol ~ SIP ~ e:SIP|SCCP ~ ~ SPA525G2
SPA525-auto-detect-sccp ~ Yes ~ ~ ~ SPA525G2
SPA525-readonly ~ No ~ ~ ~ SPA525G2
User_Web_Password ~ ~ pw ~ ~ SPA525G2
WiFi_User_Access_Mode ~ Yes ~ ~ ~ SPA525G2
`,
    },
    {
      group: "System/Power_Settings",
      models: S525,
      rows: `
PoE_Power_Required ~ Normal ~ e:Normal|Maximum
`,
    },
    {
      group: "System/Internet_Connection_Type_",
      rows: `
Connection_Type ~ DHCP ~ e:DHCP|Static IP|PPPoE
`,
    },
    {
      group: "System/_Static_IP_Settings",
      rows: `
Static_IP ~ ~ ip
NetMask ~ ~ ip
Gateway ~ ~ ip
Lan_MTU ~ 1500 ~ i:256..1500 ~ ~ SPA525G2
Duplex_Mode ~ Auto ~ s ~ ~ SPA525G2
`,
    },
    {
      group: "System/_PPPoE_Settings",
      rows: `
PPPoE_Login_Name
PPPoE_Login_Password ~ ~ pw
PPPoE_Service_Name
`,
    },
    {
      group: "System/Optional_Network_Configuration",
      rows: `
HostName
Domain
Primary_DNS ~ ~ ip
Secondary_DNS ~ ~ ip
DNS_Server_Order ~ Manual,DHCP ~ e:Manual|Manual,DHCP|DHCP,Manual
Syslog_Server ~ ~ host
Debug_Server ~ ~ host
Debug_Level ~ 3 ~ e:0|1|2|3
Layer_2_Logging ~ No
NTP_Enable ~ Yes ~ ~ ~ SPA525G2
Primary_NTP_Server ~ ~ host
Secondary_NTP_Server ~ ~ host
Enable_Bonjour ~ No ~ ~ ~ SPA525G2
Enable_SSLv3 ~ No
`,
    },
    {
      group: "System/VLAN_Settings",
      rows: `
Enable_VLAN ~ No
VLAN_ID ~ 1 ~ i:1..4095
PC_Port_VLAN_Highest_Priority ~ No Limit ~ e:No Limit|0|1|2|3|4|5|6|7
Enable_PC_Port_VLAN_Tagging ~ No
PC_Port_VLAN_ID ~ 1 ~ i:1..4095
Enable_CDP ~ Yes
Enable_LLDP-MED ~ Yes
Network_Startup_Delay ~ 3 ~ i:0..255
`,
    },
    {
      group: "System/Wi-Fi_Settings",
      models: S525,
      rows: `
SPA525-wifi-on ~ Yes
`,
    },
    {
      group: "System/Bluetooth_Settings",
      models: S525,
      rows: `
Enable_BT ~ No
`,
    },
    {
      group: "System/_VPN_Settings",
      models: S525,
      rows: `
VPN_Server ~ ~ host
VPN_User_Name
VPN_Password ~ ~ pw
VPN_Tunnel_Group
Connect_on_Bootup ~ No
`,
    },
    {
      group: "System/Inventory_Settings",
      rows: `
Asset_ID
`,
    },
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
SIP-B_Enable ~ No
Talk_Package ~ No
Hold_Package ~ No
Conference_Package ~ No
Notify_Conference ~ No
RFC_2543_Call_Hold ~ Yes
Random_REG_CID_On_Reboot ~ No
Mark_All_AVT_Packets ~ No
SIP_TCP_Port_Min ~ 5060 ~ port
SIP_TCP_Port_Max ~ 5080 ~ port
CTI_Enable ~ No
Caller_ID_Header ~ PAID-RPID-FROM ~ e:PAID-RPID-FROM|PAID-FROM|RPID-PAID-FROM|RPID-FROM|FROM
SRTP_Method ~ x-sipura ~ e:x-sipura|s-descriptor
Hold_Target_Before_REFER ~ No
Dialog_SDP_Enable ~ No
Keep_Referee_When_REFER_Failed ~ No
Display_Diversion_Info ~ No
Display_Anonymous_From_Header ~ No
Sip_Accept_Encoding ~ none ~ e:none|gzip
Disable_Local_Name_To_Header ~ No
`,
    },
    SPA_PHONE_SIP_TIMER_VALUES,
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
Symmetric_RTP ~ No
Stats_In_BYE ~ No
`,
    },
    {
      group: "SIP/SDP_Payload_Types",
      rows: `
AVT_Dynamic_Payload ~ 101 ~ i:96..127
INFOREQ_Dynamic_Payload
G726r32_Dynamic_Payload ~ 2 ~ i:0..127
G729b_Dynamic_Payload ~ 99 ~ i:96..127
EncapRTP_Dynamic_Payload ~ 112 ~ i:96..127
RTP-Start-Loopback_Dynamic_Payload ~ 113 ~ i:96..127
RTP-Start-Loopback_Codec ~ G711u ~ e:${CODECS}
AVT_Codec_Name ~ telephone-event
G711u_Codec_Name ~ PCMU
G711a_Codec_Name ~ PCMA
G726r32_Codec_Name ~ G726-32
G729a_Codec_Name ~ G729a
G729b_Codec_Name ~ G729ab
G722_Codec_Name ~ G722
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
Auto_Ans_GrPage_On_Active_Call ~ Yes
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
DHCP_Option_To_Use ~ 66,160,159,150,60,43,125 ~ nums
Transport_Protocol ~ https ~ e:tftp|http|https
Log_Resync_Request_Msg ~ $PN $MAC -- Requesting resync $SCHEME://$SERVIP:$PORT$PATH ~ msg
Log_Resync_Success_Msg ~ $PN $MAC -- Successful resync $SCHEME://$SERVIP:$PORT$PATH ~ msg
Log_Resync_Failure_Msg ~ $PN $MAC -- Resync failed: $ERR ~ msg
HTTP_Report_Method ~ POST ~ e:POST|PUT
Report_Rule ~ ~ rule
User_Configurable_Resync ~ Yes
`,
    },
    SPA_PHONE_FIRMWARE_UPGRADE,
    {
      group: "Provisioning/CA_Settings",
      rows: `
Custom_CA_URL ~ ~ url
`,
    },
    PHONE_GENERAL_PURPOSE_PARAMETERS,
    {
      group: "Regional/Call_Progress_Tones",
      type: "tone",
      rows: `
Dial_Tone ~ 350@-19,440@-19;10(*/0/1+2)
Bluetooth_Dial_Tone ~ 350@-19,440@-19;1(0/*/0);10(*/0/1+2) ~ ~ ~ SPA525G2
Outside_Dial_Tone ~ 420@-16;10(*/0/1)
Prompt_Tone ~ 520@-19,620@-19;10(*/0/1+2)
Busy_Tone ~ 480@-19,620@-19;10(.5/.5/1+2)
Reorder_Tone ~ 480@-19,620@-19;10(.25/.25/1+2)
Off_Hook_Warning_Tone ~ 480@-10,620@0;10(.125/.125/1+2)
Ring_Back_Tone ~ 440@-19,480@-19;*(2/4/1+2)
Call_Waiting_Tone ~ 440@-10;30(.3/9.7/1)
Confirm_Tone ~ 600@-16;1(.25/.25/1)
SIT1_Tone ~ 985@-16,1428@-16,1777@-16;20(.380/0/1,.380/0/2,.380/0/3,0/4/0)
SIT2_Tone ~ 914@-16,1371@-16,1777@-16;20(.274/0/1,.274/0/2,.380/0/3,0/4/0)
SIT3_Tone ~ 914@-16,1371@-16,1777@-16;20(.380/0/1,.380/0/2,.380/0/3,0/4/0)
SIT4_Tone ~ 985@-16,1371@-16,1777@-16;20(.380/0/1,.274/0/2,.380/0/3,0/4/0)
MWI_Dial_Tone ~ 350@-19,440@-19;2(.1/.1/1+2);10(*/0/1+2)
Cfwd_Dial_Tone ~ 350@-19,440@-19;2(.2/.2/1+2);10(*/0/1+2)
Holding_Tone ~ 600@-19;25(.1/.1/1,.1/.1/1,.1/9.5/1)
Conference_Tone ~ 350@-19;1(0/*/0);20(.1/.1/1,.1/9.7/1)
Secure_Call_Indication_Tone ~ 397@-19,507@-19;15(0/2/0,.2/.1/1,.1/2.1/2)
Page_Tone ~ 600@-16;.3(.05/0.05/1)
Low_Battery_Tone ~ 1600@-16;2(.05/0.05/1,.05/.05/1,0/.5/0) ~ ~ ~ SPA525G2
Alert_Tone ~ 600@-19;.2(.05/0.05/1)
System_Beep ~ 600@-16;.1(.05/0.05/1)
Call_Pickup_Tone ~ 440@-10;30(.3/9.7/1)
`,
    },
    PHONE_DISTINCTIVE_RING_PATTERNS,
    {
      group: "Regional/Control_Timer_Values__sec_",
      type: "t3:0..65535",
      rows: `
Reorder_Delay ~ 255
Call_Back_Expires ~ 1800
Call_Back_Retry_Intvl ~ 30
Call_Back_Delay ~ .5
Interdigit_Long_Timer ~ 10
Interdigit_Short_Timer ~ 3
`,
    },
    SPA_PHONE_VERTICAL_SERVICE_ACTIVATION_CODES,
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
Prefer_G722_Code ~ *01722
Force_G722_Code ~ *02722
Prefer_G726r32_Code ~ *0172632
Force_G726r32_Code ~ *0272632
Prefer_G729a_Code ~ *01729
Force_G729a_Code ~ *02729
`,
    },
    {
      group: "Regional/Time",
      rows: `
Time_Zone ~ GMT-08:00 ~ tz
Time_Offset__HH_mm_ ~ ~ s
Ignore_DHCP_Time_Offset ~ Yes
Daylight_Saving_Time_Rule ~ start=3/-1/7/2;end=10/-1/7/2;save=1 ~ dst
Daylight_Saving_Time_Enable ~ Yes
`,
    },
    {
      group: "Regional/Language",
      rows: `
Dictionary_Server_Script ~ ~ s
Language_Selection ~ English-US
Locale ~ en-US
`,
    },
    {
      group: "Regional/Miscellaneous",
      rows: `
DTMF_Playback_Level ~ -16 ~ i:-90..3
DTMF_Playback_Length ~ .1 ~ t3:0..65535
Inband_DTMF_Boost ~ 12dB ~ e:0dB|3dB|6dB|9dB|12dB|15dB|18dB
Show_DTMF_Digits_When_Connected ~ No ~ ~ ~ SPA525G2
`,
    },
    {
      group: "Phone/General",
      rows: `
Station_Name ~ ~ s:63
Station_Display_Name ~ ~ s:63
Voice_Mail_Number ~ ~ phone
`,
    },
    {
      group: "Phone/BluePhone",
      models: S525,
      rows: `
Bluetooth_Mode ~ Phone ~ e:Phone|Handsfree|Both
Line ~ 1 ~ i:1..5
Short_Name
User_Friendly_ID
PIN_Code ~ ~ pw
`,
    },
    {
      group: "Phone/Line_Key_[n]",
      index: "lineKey",
      rows: `
Extension_[n]_ ~ 1 ~ e:1|2|3|4|5|Disabled
Short_Name_[n]_ ~ $USER ~ s
Share_Call_Appearance_[n]_ ~ private ~ e:private|shared
Extended_Function_[n]_ ~ ~ s
`,
    },
    {
      group: "Phone/Miscellaneous_Line_Key_Settings",
      rows: `
Line_ID_Mapping ~ Horizontal First ~ e:Horizontal First|Vertical First
SCA_Barge-In_Enable ~ No
SCA_Sticky_Auto_Line_Seize ~ No
Call_Appearance_Per_Line ~ 2 ~ i:2..10
Softkey_Navigation_Style ~ Scrollable ~ ~ ~ SPA525G2
`,
    },
    SPA_PHONE_LINE_KEY_LED_PATTERN,
    {
      group: "Phone/Supplementary_Services",
      rows: `
Conference_Serv ~ Yes
Attn_Transfer_Serv ~ Yes
Blind_Transfer_Serv ~ Yes
DND_Serv ~ Yes
Block_ANC_Serv ~ Yes
Call_Back_Serv ~ Yes
Block_CID_Serv ~ Yes
Secure_Call_Serv ~ Yes
Cfwd_All_Serv ~ Yes
Cfwd_Busy_Serv ~ Yes
Cfwd_No_Ans_Serv ~ Yes
Paging_Serv ~ Yes
Call_Park_Serv ~ Yes
Call_Pick_Up_Serv ~ Yes
ACD_Login_Serv ~ No
Group_Call_Pick_Up_Serv ~ Yes
ACD_Ext ~ 1 ~ e:1|2|3|4|5
Service_Annc_Serv ~ No
Web_Serv ~ Yes ~ ~ ~ SPA525G2
SMS_Serv ~ Yes ~ ~ ~ SPA525G2
`,
    },
    {
      group: "Phone/Ring_Tone",
      rows: `
Ring1 ~ n=Cisco Synth;w=file://Cisco_synth_ring1.mp3;c=0
Ring2 ~ n=Retro;w=file://ringin.726;c=1
Ring3 ~ n=Office;w=file://thx-short.726;c=1
Ring4 ~ n=Analog Synth;w=file://Analog1.raw;c=1
Ring5 ~ n=Are You There;w=file://AreYouThereF.raw;c=1
Ring6 ~ n=Chime;w=file://Chime.raw;c=1
Ring7 ~ n=Clock Shop;w=file://ClockShop.raw;c=1
Ring8 ~ n=Film Score;w=file://FilmScore.raw;c=1
Ring9 ~ n=Koto Effect;w=file://KotoEffect.raw;c=1
Ring10 ~ n=Piano;w=file://Piano2.raw;c=1
Ring11 ~ n=Pulse;w=file://Pulse1.raw;c=1
Ring12 ~ n=Du-dut;w=file://Ring7.raw;c=1
Silent_Ring_Duration ~ 60 ~ t:0..65535
`,
    },
    {
      group: "Phone/Audio_Input_Gain__dB_",
      type: "i:-6..6",
      rows: `
Handset_Input_Gain ~ 0
Headset_Input_Gain ~ 0
Speakerphone_Input_Gain ~ 0
Bluetooth_Input_Gain ~ 0 ~ ~ ~ SPA525G2
Handset_Additional_Input_Gain ~ 0
Headset_Additional_Input_Gain ~ 0
Speakerphone_Additional_Input_Gain ~ 0
Bluetooth_Additional_Input_Gain ~ 0 ~ ~ ~ SPA525G2
`,
    },
    {
      group: "Phone/Extension_Mobility",
      rows: `
EM_Enable ~ No
EM_User_Domain
`,
    },
    {
      group: "Phone/Broadsoft_Settings",
      rows: `
Directory_Enable ~ No
XSI_Host_Server ~ ~ host
Directory_Name
Directory_Type ~ Enterprise ~ s
Directory_UserID
Directory_Password ~ ~ pw
`,
    },
    {
      group: "Phone/XML_Service",
      rows: `
XML_Directory_Service_Name
XML_Directory_Service_URL ~ ~ url
XML_Application_Service_Name
XML_Application_Service_URL ~ ~ url
XML_User_Name
XML_Password ~ ~ pw
CISCO_XML_EXE_Enable ~ No
CISCO_XML_EXE_Auth_Mode ~ Local Credential ~ e:Trusted|Local Credential|Remote Credential
`,
    },
    {
      group: "Phone/Multiple_Paging_Group_Parameters",
      rows: `
Group_Paging_Script ~ pggrp=224.168.168.168:34560;name=All;num=800;listen=yes;
`,
    },
    {
      group: "Phone/LDAP",
      rows: `
LDAP_Dir_Enable ~ No
Corp_Dir_Name
Server ~ ~ host
Search_Base
Client_DN
User_Name
Password ~ ~ pw
Auth_Type ~ None ~ e:None|Simple|DIGEST-MD5
Last_Name_Filter
First_Name_Filter
Search_Item_3
Search_Item_3_Filter
Search_Item_4
Search_Item_4_Filter
Display_Attr
Number_Mapping
`,
    },
    {
      group: "Phone/Programmable_Softkeys",
      rows: `
Programmable_Softkey_Enable ~ No
Idle_Key_List ~ em_login;acd_login;acd_logout;astate;avail;unavail;redial;dir;cfwd;dnd;lcr;pickup;gpickup;unpark;em_logout;guestin;guestout;
Missed_Call_Key_List ~ lcr|1;miss|4;
Off_Hook_Key_List ~ option;redial;dir;cfwd;dnd;lcr;unpark;pickup;gpickup;
Dialing_Input_Key_List ~ option|1;dial|2;delchr|3;cancel|4;
Progressing_Key_List ~ endcall|2;
Connected_Key_List ~ hold|1;endcall|2;conf|3;xfer|4;crdstart;crdstop;bxfer;confLx;xferLx;park;phold;flash;dnd;
Start-Xfer_Key_List ~ hold|1;endcall|2;xfer|4;crdstart;crdstop;dnd;
Start-Conf_Key_List ~ hold|1;endcall|2;conf|3;crdstart;crdstop;dnd;
Conferencing_Key_List ~ hold|1;endcall|2;join|4;crdstart;crdstop;dnd;
Releasing_Key_List ~ endcall|2;
Hold_Key_List ~ resume|1;endcall|2;newcall|3;redial;dir;cfwd;dnd;crdstart;crdstop;
Ringing_Key_List ~ answer|1;ignore|2;
Shared_Active_Key_List ~ newcall|1;barge|2;cfwd|3;dnd|4;crdstart;crdstop;
Shared_Held_Key_List ~ resume|1;barge|2;cfwd|3;dnd|4;crdstart;crdstop;
PSK_1
PSK_2
PSK_3
PSK_4
PSK_5
PSK_6
PSK_7
PSK_8
PSK_9
PSK_10
PSK_11
PSK_12
PSK_13
PSK_14
PSK_15
PSK_16
`,
    },
    {
      group: "Phone/Call_Audio_Recording",
      models: S525,
      rows: `
Record_Enable ~ No
Record_Beep_Reminder ~ Yes
`,
    },
    {
      group: "Ext_[n]/General",
      index: "line",
      rows: `
Line_Enable_[n]_ ~ Yes
`,
    },
    {
      group: "Ext_[n]/Share_Line_Appearance",
      index: "line",
      rows: `
Share_Ext_[n]_ ~ private ~ e:private|shared
Shared_User_ID_[n]_ ~ ~ uid
Subscription_Expires_[n]_ ~ 3600 ~ t:10..65535
Restrict_MWI_[n]_ ~ No
`,
    },
    PHONE_EXT_NAT_SETTINGS,
    {
      group: "Ext_[n]/Network_Settings",
      index: "line",
      rows: `
SIP_TOS_DiffServ_Value_[n]_ ~ 0x68 ~ u8
SIP_CoS_Value_[n]_ ~ 3 ~ i:0..7
RTP_TOS_DiffServ_Value_[n]_ ~ 0xb8 ~ u8
RTP_CoS_Value_[n]_ ~ 6 ~ i:0..7
Network_Jitter_Level_[n]_ ~ high ~ e:low|medium|high|very high|extremely high
Jitter_Buffer_Adjustment_[n]_ ~ up and down ~ e:up and down|up only|down only|disable
`,
    },
    {
      group: "Ext_[n]/SIP_Settings",
      index: "line",
      rows: `
SIP_Transport_[n]_ ~ UDP ~ e:UDP|TCP|TLS
SIP_Port_[n]_ ~ 5060 ~ port
SIP_100REL_Enable_[n]_ ~ No
EXT_SIP_Port_[n]_ ~ ~ s
Auth_Resync-Reboot_[n]_ ~ Yes
SIP_Proxy-Require_[n]_
SIP_Remote-Party-ID_[n]_ ~ No
Referor_Bye_Delay_[n]_ ~ 4 ~ t:0..65535
Refer-To_Target_Contact_[n]_ ~ No
Referee_Bye_Delay_[n]_ ~ 0 ~ t:0..65535
SIP_Debug_Option_[n]_ ~ none ~ e/none/1-line/1-line excl. OPT/1-line excl. NTFY/1-line excl. REG/1-line excl. OPT|NTFY|REG/full/full excl. OPT/full excl. NTFY/full excl. REG/full excl. OPT|NTFY|REG
Refer_Target_Bye_Delay_[n]_ ~ 0 ~ t:0..65535
Sticky_183_[n]_ ~ No
Auth_INVITE_[n]_ ~ No
Ntfy_Refer_On_1xx-To-Inv_[n]_ ~ Yes
Use_Anonymous_With_RPID_[n]_ ~ Yes
Set_G729_annexb_[n]_ ~ none ~ s
Voice_Quality_Report_Address_[n]_ ~ ~ s
User_Equal_Phone_[n]_ ~ No
Outbound_call_w_o_BLA_dialog_[n]_ ~ Yes
`,
    },
    {
      group: "Ext_[n]/Call_Feature_Settings",
      index: "line",
      rows: `
Blind_Attn-Xfer_Enable_[n]_ ~ No
MOH_Server_[n]_
Message_Waiting_[n]_ ~ No
Auth_Page_[n]_ ~ No
Default_Ring__[n]__ ~ 2 ~ s
Auth_Page_Realm_[n]_
Conference_Bridge_URL_[n]_
Auth_Page_Password_[n]_ ~ ~ pw
Mailbox_ID_[n]_
Voice_Mail_Server_[n]_ ~ ~ host
Voice_Mail_Subscribe_Interval_[n]_ ~ 86400 ~ t:10..2147483647
State_Agent_[n]_
CFWD_Notify_Serv_[n]_ ~ No
CFWD_Notifier_[n]_
Broadsoft_ACD_[n]_ ~ No
Auto_Ans_Page_On_Active_Call_[n]_ ~ Yes
Feature_Key_Sync_[n]_ ~ No
Call_Park_Monitor_Enable_[n]_ ~ No
Enable_Broadsoft_Hoteling_[n]_ ~ No
Hoteling_Subscription_Expires_[n]_ ~ 3600 ~ t:1..999999
`,
    },
    {
      group: "Ext_[n]/Proxy_and_Registration",
      index: "line",
      rows: `
Proxy_[n]_ ~ ~ host
Outbound_Proxy_[n]_ ~ ~ host
Alternate_Proxy_[n]_ ~ ~ host
Alternate_Outbound_Proxy_[n]_ ~ ~ host
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
Dual_Registration_[n]_ ~ No
Auto_Register_When_Failover_[n]_ ~ No
`,
    },
    {
      group: "Ext_[n]/Subscriber_Information",
      index: "line",
      rows: `
Display_Name_[n]_ ~ ~ s:127
User_ID_[n]_ ~ ~ uid
Password_[n]_ ~ ~ pw
Use_Auth_ID_[n]_ ~ No
Auth_ID_[n]_ ~ ~ uid
Reversed_Auth_Realm_[n]_ ~ ~ s
Mini_Certificate_[n]_ ~ ~ s
SRTP_Private_Key_[n]_ ~ ~ pw
Resident_Online_Number_[n]_ ~ ~ phone
SIP_URI_[n]_ ~ ~ s
`,
    },
    {
      group: "Ext_[n]/Audio_Configuration",
      index: "line",
      rows: `
Preferred_Codec_[n]_ ~ G711u ~ e:${CODECS}
Use_Pref_Codec_Only_[n]_ ~ No
Second_Preferred_Codec_[n]_ ~ Unspecified ~ e:Unspecified|${CODECS}
Third_Preferred_Codec_[n]_ ~ Unspecified ~ e:Unspecified|${CODECS}
G711u_Enable_[n]_ ~ Yes
G711a_Enable_[n]_ ~ Yes
G729a_Enable_[n]_ ~ Yes
G722_Enable_[n]_ ~ Yes
G726-32_Enable_[n]_ ~ Yes
Release_Unused_Codec_[n]_ ~ Yes
DTMF_Process_AVT_[n]_ ~ Yes
Silence_Supp_Enable_[n]_ ~ No
DTMF_Tx_Method_[n]_ ~ Auto ~ e:InBand|AVT|INFO|Auto|InBand+INFO|AVT+INFO
DTMF_Tx_Volume_for_AVT_Packet_[n]_ ~ 0 ~ i:-33..0
Use_Remote_Pref_Codec_[n]_ ~ No
Codec_Negotiation_[n]_ ~ Default ~ e:Default|List All
`,
    },
    {
      group: "Ext_[n]/Dial_Plan",
      index: "line",
      rows: `
Dial_Plan_[n]_ ~ (*xx|[3469]11|0|00|[2-9]xxxxxx|1xxx[2-9]xxxxxxS0|xxxxxxxxxxxx.) ~ dp
Caller_ID_Map_[n]_
Enable_IP_Dialing_[n]_ ~ Yes
Emergency_Number_[n]_
`,
    },
    {
      group: "User/Call_Forward",
      ua: "rw",
      rows: `
Cfwd_Setting ~ Yes
Cfwd_All_Dest ~ ~ phone
Cfwd_Busy_Dest ~ ~ phone
Cfwd_No_Ans_Dest ~ ~ phone
Cfwd_No_Ans_Delay ~ 20 ~ t:0..255
`,
    },
    {
      group: "User/Supplementary_Services",
      ua: "rw",
      index: "line",
      rows: `
CW_Setting ~ Yes
Block_CID_Setting ~ No
Block_ANC_Setting ~ No
DND_Setting ~ No
Secure_Call_Setting ~ No ~ ~ na
Dial_Assistance ~ No
Auto_Answer_Page ~ Yes ~ ~ na
Preferred_Audio_Device ~ None ~ s
Speakerphone_DTMF_Masking ~ No ~ ~ ~ SPA525G2
Time_Format ~ 12hr ~ e:12hr|24hr
Date_Format ~ month/day ~ e:month/day|day/month
Miss_Call_Shortcut ~ Yes
Miss_Call_Banner ~ Yes ~ ~ ~ SPA525G2
Accept_Media_Loopback_Request ~ automatic ~ e:never|automatic|manual ~ na
Media_Loopback_Mode ~ source ~ e:source|mirror ~ na
Media_Loopback_Type ~ media ~ e:media|packet ~ na
Display_Text_Message_on_Recv ~ Yes ~ ~ ~ SPA525G2
Text_Message_From_3rd_Party ~ No ~ ~ ~ SPA525G2
Alert_Tone_Off ~ No
Log_Missed_Calls_for_EXT_[n] ~ Yes ~ ~ na
Shared_Line_DND_Cfwd_Enable ~ Yes
`,
    },
    {
      group: "User/Camera_Settings",
      ua: "rw",
      models: S525,
      rows: `
Enable_Video_VLAN ~ No
Video_VLAN_ID ~ 1 ~ i:1..4095
`,
    },
    ...[1, 2, 3, 4].map((n) => ({
      group: `User/Camera_Profile_${n}`,
      ua: "rw" as const,
      models: S525,
      rows: cameraRows(n),
    })),
    {
      group: "User/Web_Information_Service_Settings",
      ua: "rw",
      models: S525,
      rows: `
RSS_Feed_URL_1 ~ name=Local News;url=http://rss.cnn.com/rss/cnn_us.rss
RSS_Feed_URL_2 ~ name=World News; url=http://newsrss.bbc.co.uk/rss/newsonline_uk_edition/world/rss.xml
RSS_Feed_URL_3 ~ name=Finance News;url=http://finance.yahoo.com/rss/topstories
RSS_Feed_URL_4 ~ name=Sports News;url=http://rss.news.yahoo.com/rss/sports
RSS_Feed_URL_5 ~ name=Politics News;url=http://rss.news.yahoo.com/rss/politics
Weather_Temperature_Unit ~ Fahrenheit ~ e:Fahrenheit|Celsius
`,
    },
    {
      group: "User/Audio_Volume",
      ua: "rw",
      rows: `
Ringer_Volume ~ 13 ~ i:0..15
Speaker_Volume ~ 11 ~ i:0..15
Handset_Volume ~ 9 ~ i:0..15
Headset_Volume ~ 9 ~ i:0..15
Bluetooth_Volume ~ 9 ~ i:0..15 ~ ~ SPA525G2
Handset_Version ~ Auto ~ s
Deep_Bass ~ Yes ~ ~ ~ SPA525G2
Electronic_HookSwitch_Control ~ No
Speakerphone_Enable ~ Yes
Mute_Enable ~ Yes
`,
    },
    {
      group: "User/Screen",
      ua: "rw",
      rows: `
Screen_Saver_Enable ~ No
Screen_Saver_Type ~ Black Background ~ s
Screen_Saver_Trigger_Time ~ 300 ~ i:1..65535
Screen_Saver_Refresh_Time ~ 10 ~ i:1..65535
Back_Light_Enable ~ No
Back_Light_Timer__sec_ ~ 30 ~ i:0..65535
LCD_Contrast ~ 15 ~ i:1..30
Logo_Type ~ Default ~ s
Text_Logo ~ ~ s:32
Background_Picture_Type ~ Default ~ s
BMP_Picture_Download_URL ~ ~ url
`,
    },
    {
      group: "Att_Console/General",
      models: SIDECAR,
      rows: `
Subscribe_Expires ~ 1800 ~ t:10..100000
Subscribe_Retry_Interval ~ 30 ~ t:0..100000
Unit_1_Enable ~ Yes
Subscribe_Delay ~ 1 ~ i:0..100
Unit_2_Enable ~ Yes
Server_Type ~ Broadsoft ~ s
Test_Mode_Enable ~ No
Attendant_Console_Call_Pickup_Code ~ *98
Attendant_Console_Call_Park_Code ~ *68
Attendant_Console_Call_unPark_Code ~ *88
BLF_List_URI
Use_Line_Keys_For_BLF_List ~ No
Call_Pickup_Audio_Notification ~ No
Attendant_Console_Font_Size ~ 10 ~ i:8..12
Attendant_Console_LCD_Contrast ~ 12 ~ i:1..30
BXfer_To_Starcode_Enable ~ No
BXfer_On_Speed_Dial_Enable ~ Yes
BLF_Label_Display_Mode ~ Name ~ e:Name|Ext|Both
`,
    },
    {
      group: "Att_Console/Att_Console_Key_LED_Pattern",
      models: SIDECAR,
      type: "s",
      rows: `
Application_LED
Serv_Subscribe_Failed_LED
Serv_Subscribing_LED
SNRM_Day_Mode_LED
SNRM_Night_Mode_LED
Parking_Lot_Idle_LED
Parking_Lot_Busy_LED
BLF_Idle_LED
BLF_Ringing_LED
BLF_Busy_LED
BLF_Held_LED
`,
    },
    ...[1, 2].map((unit) => ({
      group: `Att_Console/Unit_${unit}`,
      models: SIDECAR,
      type: "s",
      rows: Array.from({ length: 32 }, (_, i) => `Unit_${unit}_Key_${i + 1}`).join("\n"),
    })),
    {
      group: "TR-069/TR-069",
      models: S525,
      rows: `
Enable_TR-069 ~ No
ACS_URL ~ ~ url
ACS_Username
ACS_Password ~ ~ pw
ACS_URL_In_Use ~ ~ url ~ ro
Connection_Request_Username
Connection_Request_Password ~ ~ pw
Connection_Request_URL ~ ~ url ~ ro
Periodic_Inform_Interval ~ 20 ~ i:0..65535
Periodic_Inform_Enable ~ Yes
TR-069_Traceability ~ No
CWMP_V1.2_Support ~ Yes
TR-069_VoiceObject_Init ~ Yes
TR-069_DHCPOption_Init ~ Yes
TR-069_IGD_Support ~ No
TR-069_Fallback_Support ~ No
TR-069_DHCP_Inform_Timer ~ 120 ~ i:0..65535
BACKUP_ACS_URL ~ ~ url
BACKUP_ACS_User
BACKUP_ACS_Password ~ ~ pw
`,
    },
    {
      // Wi-Fi profiles (group as the export writes it); profile 1 has fewer fields than 2
      // and 3. The certificate fields read `*****` in the export (masked), recorded empty.
      group: "Wi-Fi",
      models: S525,
      rows: `
profileName_1_
ssid_1_
securityMode_1_
cipherType_1_
wepKeyId_1_
wepKeyLen_1_ ~ 64 bits(10 hex digits)
eapType_1_ ~ LEAP
serverCert_1_
clientCert_1_
ttlsAuthProto_1_ ~ MD5
${WIFI_PROFILES_2_3_ROWS}
`,
    },
  ],
};
