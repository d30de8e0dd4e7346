import type { FamilyTable } from "./family_table.ts";
import { familyModels } from "./models.ts";
import {
  PHONE_DISTINCTIVE_RING_PATTERNS,
  PHONE_EXT_NAT_SETTINGS,
  PROVISIONING_GENERAL_PURPOSE_PARAMETERS,
  SIP_RESPONSE_STATUS_CODE_HANDLING,
  SPA_PHONE_CALL_PROGRESS_TONES,
  SPA_PHONE_FIRMWARE_UPGRADE,
  SPA_PHONE_LDAP_CORPORATE_DIRECTORY_SEARCH,
  SPA_PHONE_LINE_KEY_LED_PATTERN,
  SPA_PHONE_NAT_SUPPORT_PARAMETERS,
  SPA_PHONE_SIP_TIMER_VALUES,
  SPA_PHONE_VERTICAL_SERVICE_ACTIVATION_CODES,
} from "./shared_sections.ts";

const CODECS = "G711u|G711a|G726-16|G726-24|G726-32|G726-40|G729a|G722";
const SIDECAR = ["SPA504G"];

/**
 * Cisco SPA303 / SPA504G (the SPA50x/SPA30x firmware, 7.4.x). Names, factory ua, option
 * lists and section headings recorded from a public full export of that firmware (ua on
 * every parameter; the export's schema names the SPA50x-30x 7.4.8a profile). Groups use
 * the `Tab/Section` form the SPA525G2 writes. Values the export carries as site settings
 * (provisioning URL, NTP, dial plan) are replaced by the factory values of the same rows on
 * the SPA525G2 / SPA9x2 exports.
 */
export const SPA50X: FamilyTable = {
  id: "spa50x",
  title: "Cisco SPA303 / SPA504G IP phones",
  deviceFamily: "spa",
  ua: "na",
  models: familyModels("spa50x"),
  sections: [
    {
      group: "System/System_Configuration",
      rows: `
Restricted_Access_Domains ~ ~ dom5
Enable_Web_Server ~ Yes
Web_Server_Port ~ 80 ~ port
Enable_Web_Admin_Access ~ Yes
Admin_Passwd ~ ~ pw
User_Password ~ ~ pw ~ rw
Signaling_Protocol ~ SIP ~ e:SIP|SPCP
SPCP_Auto-detect ~ Yes
Phone-UI-readonly ~ No
Phone-UI-user-mode ~ No
`,
    },
    {
      group: "System/Power_Settings",
      rows: `
PoE_Power_Required ~ Normal ~ e:Normal|Maximum
`,
    },
    {
      group: "System/Internet_Connection_Type_",
      ua: "rw",
      rows: `
Connection_Type ~ DHCP ~ e:DHCP|Static IP
Static_IP ~ ~ ip
NetMask ~ ~ ip
Gateway ~ ~ ip
`,
    },
    {
      group: "System/Optional_Network_Configuration",
      rows: `
HostName ~ ~ s ~ rw
Domain ~ ~ s ~ rw
Primary_DNS ~ ~ ip ~ rw
Secondary_DNS ~ ~ ip ~ rw
DNS_Server_Order ~ Manual ~ e:Manual|Manual,DHCP|DHCP,Manual
DNS_Query_Mode ~ Parallel ~ e:Parallel|Sequential
DNS_Query_TTL_Ignore ~ No
Syslog_Server ~ ~ host
Debug_Server ~ ~ host
Debug_Level ~ 0 ~ e:0|1|2|3
Layer_2_Logging ~ No
Primary_NTP_Server ~ ~ host
Secondary_NTP_Server ~ ~ host
`,
    },
    {
      group: "System/VLAN_Settings",
      rows: `
Enable_VLAN ~ No ~ ~ rw
Enable_CDP ~ Yes
Enable_LLDP-MED ~ Yes
Network_Startup_Delay ~ 3 ~ i:0..255
VLAN_ID ~ 1 ~ i:1..4095 ~ rw
PC_Port_VLAN_Highest_Priority ~ No Limit ~ e:No Limit|0|1|2|3|4|5|6|7
Enable_PC_Port_VLAN_Tagging ~ No
PC_Port_VLAN_ID ~ 1 ~ i:1..4095
`,
    },
    {
      group: "Provisioning/Configuration_Profile",
      rows: `
Provision_Enable ~ Yes
Resync_On_Reset ~ Yes
Resync_Random_Delay ~ 2 ~ t:0..65535
Resync_At__HHmm_ ~ ~ hhmm
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
DHCP_Option_To_Use ~ 66,160,159,150 ~ nums
Transport_Protocol ~ https ~ e:none|tftp|http|https
Log_Resync_Request_Msg ~ $PN $MAC -- Requesting resync $SCHEME://$SERVIP:$PORT$PATH ~ msg
Log_Resync_Success_Msg ~ $PN $MAC -- Successful resync $SCHEME://$SERVIP:$PORT$PATH ~ msg
Log_Resync_Failure_Msg ~ $PN $MAC -- Resync failed: $ERR ~ msg
Report_Rule ~ ~ rule
User_Configurable_Resync ~ Yes
`,
    },
    SPA_PHONE_FIRMWARE_UPGRADE,
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
SIP-B_Enable ~ No
Talk_Package ~ No
Hold_Package ~ No
Conference_Package ~ No
Notify_Conference ~ No
RFC_2543_Call_Hold ~ Yes
Random_REG_CID_On_Reboot ~ No
Mark_All_AVT_Packets ~ Yes
SIP_TCP_Port_Min ~ 5060 ~ port
SIP_TCP_Port_Max ~ 5080 ~ port
CTI_Enable ~ No
Caller_ID_Header ~ PAID-RPID-FROM ~ e:PAID-RPID-FROM|PAID-FROM|RPID-PAID-FROM|RPID-FROM|FROM
SRTP_Method ~ x-sipura ~ e:x-sipura|s-descriptor
Hold_Target_Before_REFER ~ No
Dialog_SDP_Enable ~ No
`,
    },
    SPA_PHONE_SIP_TIMER_VALUES,
    SIP_RESPONSE_STATUS_CODE_HANDLING,
    {
      group: "SIP/RTP_Parameters",
      rows: `
RTP_Port_Min ~ 16384 ~ port
RTP_Port_Max ~ 16538 ~ port
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
G726r16_Dynamic_Payload ~ 98 ~ i:96..127
G726r24_Dynamic_Payload ~ 97 ~ i:96..127
G726r32_Dynamic_Payload ~ 2 ~ i:0..127
G726r40_Dynamic_Payload ~ 96 ~ i:96..127
G729b_Dynamic_Payload ~ 99 ~ i:96..127
EncapRTP_Dynamic_Payload ~ 112 ~ i:96..127
RTP-Start-Loopback_Dynamic_Payload ~ 113 ~ i:96..127
RTP-Start-Loopback_Codec ~ G711u ~ e:${CODECS}
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
G722_Codec_Name ~ G722
L16_Codec_Name ~ L16
EncapRTP_Codec_Name ~ encaprtp
`,
    },
    SPA_PHONE_NAT_SUPPORT_PARAMETERS,
    {
      group: "SIP/Linksys_Key_System_Parameters",
      rows: `
Linksys_Key_System ~ No
Multicast_Address ~ 224.168.168.168:6061 ~ host
Key_System_Auto_Discovery ~ Yes
Key_System_IP_Address ~ ~ ip
Force_LAN_Codec ~ none ~ e:none|G711u|G711a
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
Monitor_User_ID_[n]_ ~ ~ uid
`,
    },
    PHONE_EXT_NAT_SETTINGS,
    {
      group: "Ext_[n]/Network_Settings",
      index: "line",
      rows: `
SIP_TOS_DiffServ_Value_[n]_ ~ 0x68 ~ u8
SIP_CoS_Value_[n]_ ~ 3 ~ e:0|1|2|3|4|5|6|7
RTP_TOS_DiffServ_Value_[n]_ ~ 0xb8 ~ u8
RTP_CoS_Value_[n]_ ~ 6 ~ e:0|1|2|3|4|5|6|7
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
Set_G729_annexb_[n]_ ~ none ~ e:none|no|yes|follow silence supp setting
Voice_Quality_Report_Address_[n]_ ~ ~ s
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
Default_Ring__[n]__ ~ 1 ~ e:No Ring|1|2|3|4|5|6|7|8|9|10|User 1|User 2
Auth_Page_Realm_[n]_
Conference_Bridge_URL_[n]_
Auth_Page_Password_[n]_ ~ ~ pw
Mailbox_ID_[n]_
Voice_Mail_Server_[n]_ ~ ~ host
Voice_Mail_Subscribe_Interval_[n]_ ~ 86400 ~ t:10..2147483647
State_Agent_[n]_
CFWD_Notify_Serv_[n]_ ~ No
CFWD_Notifier_[n]_
User_ID_with_Domain_[n]_ ~ No
Auto_Ans_Page_On_Active_Call_[n]_ ~ Yes
`,
    },
    {
      group: "Ext_[n]/Proxy_and_Registration",
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
Mini_Certificate_[n]_ ~ ~ s
SRTP_Private_Key_[n]_ ~ ~ pw
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
G729a_Enable_[n]_ ~ Yes
G723_Enable_[n]_ ~ Yes
G722_Enable_[n]_ ~ Yes
L16_Enable_[n]_ ~ Yes
G726-16_Enable_[n]_ ~ Yes
G726-24_Enable_[n]_ ~ Yes
G726-32_Enable_[n]_ ~ Yes
G726-40_Enable_[n]_ ~ Yes
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
Cfwd_All_Dest ~ ~ phone
Cfwd_Busy_Dest ~ ~ phone
Cfwd_No_Ans_Dest ~ ~ phone
Cfwd_No_Ans_Delay ~ 20 ~ t:0..255
`,
    },
    {
      group: "User/Speed_Dial",
      ua: "rw",
      type: "phone",
      rows: `
Speed_Dial_2
Speed_Dial_3
Speed_Dial_4
Speed_Dial_5
Speed_Dial_6
Speed_Dial_7
Speed_Dial_8
Speed_Dial_9
`,
    },
    {
      group: "User/Supplementary_Services",
      index: "line",
      ua: "rw",
      rows: `
CW_Setting ~ Yes
Block_CID_Setting ~ No
Block_ANC_Setting ~ No
DND_Setting ~ No
Secure_Call_Setting ~ No ~ ~ na
Dial_Assistance ~ No
Auto_Answer_Page ~ Yes ~ ~ na
Preferred_Audio_Device ~ Speaker ~ e:Speaker|Headset
Send_Audio_To_Speaker ~ No
Time_Format ~ 12hr ~ e:12hr|24hr
Date_Format ~ month/day ~ e:month/day|day/month
Miss_Call_Shortcut ~ Yes
Miss_Call_Banner ~ Yes
Accept_Media_Loopback_Request ~ automatic ~ e:never|automatic|manual ~ na
Media_Loopback_Mode ~ source ~ e:source|mirror ~ na
Media_Loopback_Type ~ media ~ e:media|packet ~ na
Text_Message ~ Yes
Text_Message_From_3rd_Party ~ No
Alert_Tone_Off ~ No
Log_Missed_Calls_for_EXT_[n] ~ Yes ~ ~ na
`,
    },
    {
      group: "User/Audio_Volume",
      ua: "rw",
      rows: `
Ringer_Volume ~ 8 ~ i:0..15
Speaker_Volume ~ 8 ~ i:0..15
Handset_Volume ~ 10 ~ i:0..15
Headset_Volume ~ 10 ~ i:0..15
Deep_Bass ~ Default ~ e:Default|HiDef|Standard
`,
    },
    {
      group: "User/LCD",
      rows: `
LCD_Contrast ~ 8 ~ i:1..30 ~ rw
Back_Light_Timer ~ 10 s ~ e:Off|10 s|20 s|30 s|Always On
`,
    },
    {
      group: "Phone/General",
      rows: `
Station_Name ~ ~ s:63
Station_Display_Name ~ ~ s:63
Voice_Mail_Number ~ ~ phone
Text_Logo ~ ~ s:32
BMP_Picture_Download_URL ~ ~ url
Select_Logo ~ Default ~ e:Default|BMP Picture|Text Logo|None
Select_Background_Picture ~ None ~ e:None|BMP Picture|Text Logo
Softkey_Labels_Font ~ Auto ~ e:Normal|Narrow|Auto
Screen_Saver_Enable ~ No ~ ~ rw
Screen_Saver_Wait ~ 300 ~ i:1..65535 ~ rw
Screen_Saver_Icon ~ Background Picture ~ e:StationTime|Lock|Phone|DateTime|Background Picture ~ rw
`,
    },
    {
      group: "Phone/Line_Key_[n]",
      index: "lineKey",
      rows: `
Extension_[n]_ ~ 1 ~ e:1|2|3|4|5|6|7|8|9|10|11|12|Disabled
Short_Name_[n]_ ~ $USER ~ s
Share_Call_Appearance_[n]_ ~ private ~ e:private|shared
Extended_Function_[n]_ ~ ~ s
`,
    },
    {
      group: "Phone/Miscellaneous_Line_Key_Settings",
      rows: `
Line_ID_Mapping ~ Vertical First ~ e:Horizontal First|Vertical First
SCA_Barge-In_Enable ~ No
SCA_Sticky_Auto_Line_Seize ~ No
Line_Navigation ~ Per Line ~ e:Per Call|Per Line
Call_Appearance_Per_Line ~ 2 ~ e:2|3|4|5|6|7|8|9|10
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
ACD_Ext ~ 1 ~ e:1|2|3|4
Service_Annc_Serv ~ No
`,
    },
    {
      group: "Phone/Ring_Tone",
      rows: `
Ring1 ~ n=Classic-1;w=3;c=1
Ring2 ~ n=Classic-2;w=3;c=2
Ring3 ~ n=Classic-3;w=3;c=3
Ring4 ~ n=Classic-4;w=3;c=4
Ring5 ~ n=Simple-1;w=2;c=1
Ring6 ~ n=Simple-2;w=2;c=2
Ring7 ~ n=Simple-3;w=2;c=3
Ring8 ~ n=Simple-4;w=2;c=4
Ring9 ~ n=Simple-5;w=2;c=5
Ring10 ~ n=Office;w=4;c=1
`,
    },
    {
      group: "Phone/Audio_Input_Gain__dB_",
      rows: `
Handset_Input_Gain ~ 0 ~ e:-6|0|6
Headset_Input_Gain ~ 0 ~ e:-6|0|6|12|-12|-18
Speakerphone_Input_Gain ~ 0 ~ e:-6|0|6
Acoustic_Echo_Canceller_Enable ~ Yes
Handset_Additional_Input_Gain ~ 0 ~ e:-3|-2|-1|0|1|2|3
Headset_Additional_Input_Gain ~ 0 ~ e:-3|-2|-1|0|1|2|3
Speakerphone_Additional_Input_Gain ~ 0 ~ e:-3|-2|-1|0|1|2|3
`,
    },
    {
      group: "Phone/Multiple_Paging_Group_Parameters",
      rows: `
Group_Paging_Script ~ pggrp=224.168.168.168:34560;name=All;num=800;listen=yes;
`,
    },
    {
      group: "Phone/Broadsoft_Settings",
      rows: `
Directory_Enable ~ No
XSI_Host_Server ~ ~ host
Directory_Name
Directory_Type ~ Enterprise ~ e:Enterprise|Group|Personal
Directory_UserID
Directory_Password ~ ~ pw
Call_Feature_Sync_Ext ~ Disabled ~ e:1|2|3|4|5|6|7|8|9|10|11|12|Disabled
`,
    },
    SPA_PHONE_LDAP_CORPORATE_DIRECTORY_SEARCH,
    {
      group: "Phone/XML_Service",
      rows: `
XML_Directory_Service_Name
XML_Directory_Service_URL ~ ~ url
XML_Application_Service_Name
XML_Application_Service_URL ~ ~ url
`,
    },
    {
      group: "Phone/Extension_Mobility",
      rows: `
EM_Enable ~ No
EM_User_Domain
EM_Phone_User_ID
EM_Phone_Password ~ ~ pw
EM_Mobile_User_ID
EM_Mobile_Password ~ ~ pw
`,
    },
    {
      group: "Phone/Programmable_Softkeys",
      rows: `
Programmable_Softkey_Enable ~ No
Idle_Key_List ~ em_login|1;acd_login|1;acd_logout|1;avail|3;unavail|3;redial|5;dir|6;cfwd|7;dnd|8;lcr|9;pickup|10;gpickup|11;unpark|12;em_logout
Missed_Call_Key_List ~ lcr|1;miss|4
Off_Hook_Key_List ~ redial|1;dir|2;cfwd|3;dnd|4;lcr|5;unpark|6;pickup|7;gpickup|8;starcode|11;alpha|12
Dialing_Input_Key_List ~ dial|1;delchar|2;clear|3;cancel|4;left|5;right|6;starcode|7;alpha|8;dir
Progressing_Key_List ~ endcall|2
Connected_Key_List ~ hold|1;endcall|2;conf|3;xfer|4;toggle;bxfer;confLx;xferLx;park;phold;flash;
Start-Xfer_Key_List ~ hold|1;endcall|2;xfer|4;toggle;
Start-Conf_Key_List ~ hold|1;endcall|2;conf|3;toggle;
Conferencing_Key_List ~ hold|1;endcall|2;join|4
Releasing_Key_List ~ endcall|2;
Hold_Key_List ~ resume|1;endcall|2;newcall|3;redial;dir;cfwd;dnd
Ringing_Key_List ~ answer|1;ignore|2;toggle|4
Shared_Active_Key_List ~ newcall|1;barge|2;cfwd|3;dnd|4
Shared_Held_Key_List ~ resume|1;barge|2;cfwd|3;dnd|4
PSK_1
PSK_2
PSK_3
PSK_4
PSK_5
PSK_6
`,
    },
    SPA_PHONE_CALL_PROGRESS_TONES,
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
Prefer_G723_Code ~ *01723
Force_G723_Code ~ *02723
Prefer_G722_Code ~ *01722
Force_G722_Code ~ *02722
Prefer_L16_Code ~ *01016
Force_L16_Code ~ *02016
Prefer_G726r16_Code ~ *0172616
Force_G726r16_Code ~ *0272616
Prefer_G726r24_Code ~ *0172624
Force_G726r24_Code ~ *0272624
Prefer_G726r32_Code ~ *0172632
Force_G726r32_Code ~ *0272632
Prefer_G726r40_Code ~ *0172640
Force_G726r40_Code ~ *0272640
Prefer_G729a_Code ~ *01729
Force_G729a_Code ~ *02729
`,
    },
    {
      group: "Regional/Miscellaneous",
      rows: `
Set_Local_Date__mm_dd_ ~ ~ s
Set_Local_Time__HH_mm_ ~ ~ s
Time_Zone ~ GMT-08:00 ~ tz
Time_Offset__HH_mm_ ~ ~ s
Ignore_DHCP_Time_Offset ~ Yes
Daylight_Saving_Time_Rule ~ start=3/8/7/02:0:0;end=11/1/7/02:0:0;save=1 ~ dst
Daylight_Saving_Time_Enable ~ No
DTMF_Playback_Level ~ -16 ~ i:-90..3
DTMF_Playback_Length ~ .1 ~ t3:0..65535
Inband_DTMF_Boost ~ 12dB ~ e:0dB|3dB|6dB|9dB|12dB|15dB|18dB
Dictionary_Server_Script ~ ~ s
Language_Selection ~ ~ s
Default_Character_Encoding ~ ISO-8859-1 ~ e:ISO-8859-1|UTF-8
Protect_IVR_FactoryReset ~ No
`,
    },
    {
      group: "Attendant_Console/General",
      models: SIDECAR,
      rows: `
Subscribe_Expires ~ 1800 ~ t:10..100000
Subscribe_Retry_Interval ~ 30 ~ t:0..100000
Unit_1_Enable ~ Yes
Subscribe_Delay ~ 1 ~ i:0..100
Unit_2_Enable ~ Yes
Server_Type ~ Broadsoft ~ e:Broadsoft|SPA9000|Asterisk|RFC3265_4235|Sylantro
Test_Mode_Enable ~ No
Attendant_Console_Call_Pickup_Code ~ *98
BLF_List_URI
`,
    },
    {
      group: "Attendant_Console/Attendant_Key_LED_Pattern",
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
      group: `Attendant_Console/Unit_${unit}`,
      models: SIDECAR,
      type: "s",
      rows: Array.from({ length: 32 }, (_, i) => `Unit_${unit}_Key_${i + 1}`).join("\n"),
    })),
  ],
};
