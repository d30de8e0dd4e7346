import type { FamilyTable } from "./family_table.ts";
import { familyModels } from "./models.ts";
import {
  PHONE_DISTINCTIVE_RING_PATTERNS,
  PHONE_EXT_NAT_SETTINGS,
  PHONE_GENERAL_PURPOSE_PARAMETERS,
  WIFI_PROFILES_2_3_ROWS,
} from "./shared_sections.ts";

const CODECS = "G711u|G711a|G729a|G722|G722.2|iLBC|iSAC|OPUS";
const LEVELS = "EMERGENCY|ALERT|CRITICAL|ERROR|WARNING|NOTICE|INFO|DEBUG";

/**
 * Cisco Multiplatform phones 68xx / 78xx / 88xx (-3PCC firmware 11.x/12.x). Names,
 * defaults and ua recorded from a public full 88xx export (ua on every parameter) and
 * cross-checked against the MPP administration guides; the web groups come from the
 * export's section headings. The 68xx and 78xx share this firmware base; no public full
 * export of them was found, so their rows are those of the 88xx (see README).
 */
export const MPP_PHONE: FamilyTable = {
  id: "mpp-phone",
  title: "Cisco IP Phone 6800 / 7800 / 8800 Multiplatform (3PCC)",
  deviceFamily: "mpp",
  ua: "na",
  models: familyModels("mpp-phone"),
  sections: [
    {
      group: "System/System_Configuration",
      rows: `
Restricted_Access_Domains ~ ~ dom5
Enable_Web_Server ~ Yes
Enable_Protocol ~ Http ~ e:Http|Https
Enable_Direct_Action_Url ~ Yes
Session_Max_Timeout ~ 3600 ~ t:0..65535
Session_Idle_Timeout ~ 3600 ~ t:0..65535
Web_Server_Port ~ 80 ~ port
Enable_Web_Admin_Access ~ Yes
Admin_Password ~ ~ pw:127
User_Password ~ ~ pw:127 ~ rw
Phone-UI-readonly ~ No
Phone-UI-User-Mode ~ No
`,
    },
    {
      group: "System/IPv4_Settings",
      ua: "rw",
      rows: `
Connection_Type ~ DHCP ~ e:DHCP|Static IP
Static_IP ~ ~ ip
NetMask ~ ~ ip
Gateway ~ ~ ip
Primary_DNS ~ ~ ip
Secondary_DNS ~ ~ ip
`,
    },
    {
      group: "System/Optional_Network_Configuration",
      rows: `
Host_Name ~ ~ s ~ rw
Domain ~ ~ s ~ rw
DNS_Server_Order ~ Manual,DHCP ~ e:Manual|Manual,DHCP|DHCP,Manual
DNS_Query_Mode ~ Parallel ~ e:Parallel|Sequential
DNS_Caching_Enable ~ Yes
Switch_Port_Config ~ AUTO ~ s
PC_Port_Config ~ AUTO ~ s
PC_PORT_Enable ~ Yes
Syslog_Server ~ ~ host
Debug_Level ~ NOTICE ~ e:${LEVELS}
Primary_NTP_Server ~ ~ host ~ rw
Secondary_NTP_Server ~ ~ host ~ rw
Enable_SSLv3 ~ No
`,
    },
    {
      group: "System/802.1X_Authentication",
      rows: `
Enable_802.1X_Authentication ~ No ~ ~ rw
`,
    },
    {
      group: "System/VLAN_Settings",
      rows: `
Enable_VLAN ~ No ~ ~ rw
VLAN_ID ~ 1 ~ i:1..4095 ~ rw
PC_Port_VLAN_ID ~ 1 ~ i:1..4095
Enable_CDP ~ Yes
Enable_LLDP-MED ~ Yes
Network_Startup_Delay ~ 3 ~ i:0..255
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
Talk_Package ~ No
Hold_Package ~ No
Conference_Package ~ No
RFC_2543_Call_Hold ~ Yes
Random_REG_CID_on_Reboot ~ No
SIP_TCP_Port_Min ~ 5060 ~ port
SIP_TCP_Port_Max ~ 5080 ~ port
Caller_ID_Header ~ PAID-RPID-FROM ~ e:PAID-RPID-FROM|PAID-FROM|RPID-PAID-FROM|RPID-FROM|FROM
Hold_Target_Before_Refer ~ No
Dialog_SDP_Enable ~ No
Keep_Referee_When_Refer_Failed ~ No
Display_Diversion_Info ~ No
Display_Anonymous_From_Header ~ No
Sip_Accept_Encoding ~ none ~ e:none|gzip
Disable_Local_Name_To_Header ~ No
`,
    },
    {
      group: "SIP/SIP_Timer_Values__sec_",
      type: "t3:0..65535",
      rows: `
SIP_T1 ~ .5 ~ t3:0..64
SIP_T2 ~ 4 ~ t3:0..64
SIP_T4 ~ 5 ~ t3:0..64
SIP_Timer_B ~ 16 ~ t3:0..64
SIP_Timer_F ~ 16 ~ t3:0..64
SIP_Timer_H ~ 16 ~ t3:0..64
SIP_Timer_D ~ 16 ~ t3:0..64
SIP_Timer_J ~ 16 ~ t3:0..64
INVITE_Expires ~ 240 ~ t:0..65535
ReINVITE_Expires ~ 30 ~ t:0..65535
Reg_Min_Expires ~ 1 ~ t:0..65535
Reg_Max_Expires ~ 7200 ~ t:0..65535
Reg_Retry_Intvl ~ 30 ~ t:0..65535
Reg_Retry_Long_Intvl ~ 1200 ~ t:0..65535
Reg_Retry_Random_Delay ~ 0 ~ t:0..65535
Reg_Retry_Long_Random_Delay ~ 0 ~ t:0..65535
Reg_Retry_Intvl_Cap ~ 0 ~ t:0..65535
Sub_Min_Expires ~ 10 ~ t:0..65535
Sub_Max_Expires ~ 7200 ~ t:0..65535
Sub_Retry_Intvl ~ 10 ~ t:0..65535
`,
    },
    {
      group: "SIP/Response_Status_Code_Handling",
      rows: `
Try_Backup_RSC
Retry_Reg_RSC
`,
    },
    {
      group: "SIP/RTP_Parameters",
      rows: `
RTP_Port_Min ~ 16384 ~ port
RTP_Port_Max ~ 16482 ~ port
RTP_Packet_Size ~ 0.020 ~ f3
Max_RTP_ICMP_Err ~ 0 ~ i:0..65535
RTCP_Tx_Interval ~ 0 ~ t:0..255
`,
    },
    {
      group: "SIP/SDP_Payload_Types",
      rows: `
G722.2_Dynamic_Payload ~ 96 ~ i:96..127
iLBC_Dynamic_Payload ~ 97 ~ i:96..127
iSAC_Dynamic_Payload ~ 98 ~ i:96..127
OPUS_Dynamic_Payload ~ 99 ~ i:96..127
AVT_Dynamic_Payload ~ 101 ~ i:96..127
INFOREQ_Dynamic_Payload
G711u_Codec_Name ~ PCMU
G711a_Codec_Name ~ PCMA
G729a_Codec_Name ~ G729a
G729b_Codec_Name ~ G729ab
G722_Codec_Name ~ G722
G722.2_Codec_Name ~ AMR-WB
iLBC_Codec_Name ~ iLBC
iSAC_Codec_Name ~ iSAC
OPUS_Codec_Name ~ OPUS
AVT_Codec_Name ~ telephone-event
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
EXT_IP ~ ~ ip
EXT_RTP_Port_Min ~ 0 ~ port
NAT_Keep_Alive_Intvl ~ 15 ~ t:0..65535
Redirect_Keep_Alive ~ No
`,
    },
    {
      group: "Provisioning/Configuration_Profile",
      rows: `
Provision_Enable ~ Yes
Resync_On_Reset ~ Yes
Resync_Random_Delay ~ 2 ~ t:0..65535
Resync_At__HHmm_ ~ ~ hhmm
Resync_At_Random_Delay ~ 600 ~ t:600..65535
Resync_Periodic ~ 3600 ~ sched
Resync_Error_Retry_Delay ~ 3600 ~ sched
Forced_Resync_Delay ~ 14400 ~ t:0..65535
Resync_From_SIP ~ Yes
Resync_After_Upgrade_Attempt ~ Yes
Resync_Trigger_1 ~ ~ rule
Resync_Trigger_2 ~ ~ rule
Resync_Fails_On_FNF ~ Yes
Profile_Rule ~ /$PSN.xml ~ rule
Profile_Rule_B ~ ~ rule
Profile_Rule_C ~ ~ rule
Profile_Rule_D ~ ~ rule
DHCP_Option_To_Use ~ 66,160,159,150,60,43,125 ~ nums
Log_Request_Msg ~ $PN $MAC -- Requesting resync $SCHEME://$SERVIP:$PORT$PATH ~ msg
Log_Success_Msg ~ $PN $MAC -- Successful resync $SCHEME://$SERVIP:$PORT$PATH ~ msg
Log_Failure_Msg ~ $PN $MAC -- Resync failed: $ERR ~ msg
User_Configurable_Resync ~ Yes
`,
    },
    {
      group: "Provisioning/Firmware_Upgrade",
      rows: `
Upgrade_Enable ~ Yes
Upgrade_Error_Retry_Delay ~ 3600 ~ sched
Upgrade_Rule ~ ~ rule
Log_Upgrade_Request_Msg ~ $PN $MAC -- Requesting upgrade $SCHEME://$SERVIP:$PORT$PATH ~ msg
Log_Upgrade_Success_Msg ~ $PN $MAC -- Successful upgrade $SCHEME://$SERVIP:$PORT$PATH -- $ERR ~ msg
Log_Upgrade_Failure_Msg ~ $PN $MAC -- Upgrade failed: $ERR ~ msg
`,
    },
    {
      group: "Provisioning/CA_Settings",
      rows: `
Custom_CA_Rule ~ ~ url
`,
    },
    {
      group: "Provisioning/HTTP_Settings",
      rows: `
HTTP_User_Agent_Name ~ $VERSION ($MA)
`,
    },
    {
      group: "Provisioning/Problem_Report_Tool",
      rows: `
PRT_Upload_Rule ~ ~ url
PRT_Upload_Method ~ POST ~ e:POST|PUT
`,
    },
    PHONE_GENERAL_PURPOSE_PARAMETERS,
    {
      group: "Regional/Call_Progress_Tones",
      type: "tone",
      rows: `
Dial_Tone ~ 350@-19,440@-19;10(*/0/1+2)
Outside_Dial_Tone ~ 420@-16;10(*/0/1)
Prompt_Tone ~ 520@-19,620@-19;10(*/0/1+2)
Busy_Tone ~ 480@-19,620@-19;10(.5/.5/1+2)
Reorder_Tone ~ 480@-19,620@-19;10(.25/.25/1+2)
Off_Hook_Warning_Tone ~ 480@-10,620@0;10(.125/.125/1+2)
Ring_Back_Tone ~ 440@-19,480@-19;*(2/4/1+2)
Call_Waiting_Tone ~ 440@-10;30(.3/9.7/1)
Confirm_Tone ~ 600@-16;1(.25/.25/1)
MWI_Dial_Tone ~ 350@-19,440@-19;2(.1/.1/1+2);10(*/0/1+2)
Cfwd_Dial_Tone ~ 350@-19,440@-19;2(.2/.2/1+2);10(*/0/1+2)
Holding_Tone ~ 600@-19;25(.1/.1/1,.1/.1/1,.1/9.5/1)
Conference_Tone ~ 350@-19;20(.1/.1/1,.1/9.7/1)
Secure_Call_Indication_Tone ~ 397@-19,507@-19;15(0/2/0,.2/.1/1,.1/2.1/2)
Page_Tone ~ 600@-16;.3(.05/0.05/1)
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
Interdigit_Long_Timer ~ 10
Interdigit_Short_Timer ~ 3
`,
    },
    {
      group: "Regional/Vertical_Service_Activation_Codes",
      type: "code",
      rows: `
Call_Return_Code ~ *69
Blind_Transfer_Code ~ *95
Cfwd_All_Act_Code ~ *72
Cfwd_All_Deact_Code ~ *73
Cfwd_Busy_Act_Code ~ *90
Cfwd_Busy_Deact_Code ~ *91
Cfwd_No_Ans_Act_Code ~ *92
Cfwd_No_Ans_Deact_Code ~ *93
CW_Act_Code ~ *56
CW_Deact_Code ~ *57
CW_Per_Call_Act_Code ~ *71
CW_Per_Call_Deact_Code ~ *70
Block_CID_Act_Code ~ *61
Block_CID_Deact_Code ~ *62
Block_CID_Per_Call_Act_Code ~ *81
Block_CID_Per_Call_Deact_Code ~ *82
Block_ANC_Act_Code ~ *77
Block_ANC_Deact_Code ~ *87
DND_Act_Code ~ *78
DND_Deact_Code ~ *79
Secure_All_Call_Act_Code ~ *16
Secure_No_Call_Act_Code ~ *17
Secure_One_Call_Act_Code ~ *18
Secure_One_Call_Deact_Code ~ *19
Paging_Code ~ *96
Call_Park_Code ~ #68
Call_Pickup_Code ~ #97
Call_Unpark_Code ~ #88
Group_Call_Pickup_Code ~ #98
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
Prefer_G722_Code ~ *01722
Force_G722_Code ~ *02722
Prefer_G722.2_Code ~ *01724
Force_G722.2_Code ~ *02724
Prefer_G729a_Code ~ *01729
Force_G729a_Code ~ *02729
Prefer_iLBC_Code ~ *01016
Force_iLBC_Code ~ *02016
Prefer_ISAC_Code ~ *01026
Force_ISAC_Code ~ *02026
Prefer_OPUS_Code ~ *01056
Force_OPUS_Code ~ *02056
`,
    },
    {
      group: "Regional/Time",
      rows: `
Set_Local_Date__mm_dd_yyyy_ ~ ~ s
Set_Local_Time__HH_mm_ ~ ~ s
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
      group: "Phone/General",
      rows: `
Station_Name ~ ~ s:63
Station_Display_Name ~ ~ s:63
Voice_Mail_Number ~ ~ phone
`,
    },
    {
      group: "Phone/Handsfree",
      rows: `
Bluetooth_Mode ~ Phone ~ e:Phone|Handsfree|Both
Line ~ 5 ~ i:1..16
`,
      models: ["CP-8851-3PCC", "CP-8861-3PCC"],
    },
    {
      group: "Phone/Line_Key_[n]",
      index: "lineKey",
      rows: `
Extension_[n]_ ~ 1 ~ e:1|2|3|4|5|6|7|8|9|10|11|12|13|14|15|16|Disabled
Short_Name_[n]_ ~ $USER ~ s
Share_Call_Appearance_[n]_ ~ private ~ e:private|shared
Extended_Function_[n]_ ~ ~ s
`,
    },
    {
      group: "Phone/Miscellaneous_Line_Key_Settings",
      rows: `
Line_ID_Mapping ~ Horizontal First ~ e:Horizontal First|Vertical First
SCA_Barge-In-Enable ~ No
SCA_Sticky_Auto_Line_Seize ~ No
Call_Appearances_Per_Line ~ 2 ~ i:2..10
`,
    },
    {
      group: "Phone/Supplementary_Services",
      rows: `
Conference_Serv ~ Yes
Attn_Transfer_Serv ~ Yes
Blind_Transfer_Serv ~ Yes
DND_Serv ~ Yes
Block_ANC_Serv ~ Yes
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
Service_Annc_Serv ~ No
`,
    },
    {
      group: "Phone/Ringtone",
      rows: `
Ring1 ~ n=Sunrise;w=file://Sunrise.rwb;c=1
Ring2 ~ n=Chirp 1;w=file://chirp1.raw;c=1
Ring3 ~ n=Chirp 2;w=file://chirp2.raw;c=1
Ring4 ~ n=Delight;w=file://Delight.rwb;c=1
Ring5 ~ n=Evolve;w=file://Evolve.rwb;c=1
Ring6 ~ n=Mellow;w=file://Mellow.rwb;c=1
Ring7 ~ n=Mischief;w=file://Mischief.rwb;c=1
Ring8 ~ n=Reflections;w=file://Reflections.rwb;c=1
Ring9 ~ n=Ringer;w=file://Ringer.rwb;c=1
Ring10 ~ n=Ascent;w=file://Ascent.rwb;c=1
Ring11 ~ n=Are you there;w=file://AreYouThereF.raw;c=1
Ring12 ~ n=Chime;w=file://Chime.raw;c=1
Silent_Ring_Duration ~ 60 ~ t:0..65535
`,
    },
    {
      group: "Phone/Extension_Mobility",
      rows: `
EM_Enable ~ No
EM_User_Domain
Inactivity_Timer_m_ ~ 480 ~ i:0..65535
Countdown_Timer_s_ ~ 10 ~ i:0..65535
`,
    },
    {
      group: "Phone/Broadsoft_Settings",
      rows: `
Directory_Enable ~ No
XSI_Host_Server ~ ~ host
Directory_Name
Directory_Type ~ Enterprise ~ s
Directory_User_ID
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
LDAP_Corp_Dir_Name
LDAP_Server ~ ~ host
LDAP_Search_Base
LDAP_Client_DN
LDAP_Username
LDAP_Password ~ ~ pw
LDAP_Auth_Method ~ None ~ e:None|Simple|DIGEST-MD5
LDAP_Last_Name_Filter
LDAP_First_Name_Filter
LDAP_Search_Item_3
LDAP_Item_3_Filter
LDAP_Search_Item_4
LDAP_Item_4_Filter
LDAP_Display_Attrs
LDAP_Number_Mapping
`,
    },
    {
      group: "Phone/Programmable_Softkeys",
      rows: `
Programmable_Softkey_Enable ~ No
Idle_Key_List ~ em_login;acd_login;acd_logout;astate;avail;unavail;redial;recents;cfwd;dnd;lcr;pickup;gpickup;unpark;em_logout;guestin;guestout;
Missed_Call_Key_List ~ lcr|1;miss|4;
Off_Hook_Key_List ~ option;redial;cancel;dir;cfwd;dnd;lcr;unpark;pickup;gpickup;
Dialing_Input_Key_List ~ option|1;call|2;delchar|3;cancel|4;
Progressing_Key_List ~ endcall|2;
Connected_Key_List ~ bxfer|1;xfer|2;endcall|3;conf|4;hold;crdstart;crdstop;confLx;xferLx;park;phold;flash;dnd;
Start-Xfer_Key_List ~ hold|1;endcall|2;xfer|4;crdstart;crdstop;dnd;
Start-Conf_Key_List ~ hold|1;endcall|2;conf|3;crdstart;crdstop;dnd;
Conferencing_Key_List ~ hold|1;endcall|2;join|4;crdstart;crdstop;dnd;
Releasing_Key_List ~ endcall|2;
Hold_Key_List ~ resume|1;endcall|2;newcall|3;redial;dir;cfwd;dnd;crdstart;crdstop;
Ringing_Key_List ~ answer|1;ignore|2;
Shared_Active_Key_List ~ newcall|1;barge|2;bargesilent|3;cfwd|4;dnd|5;crdstart;crdstop;
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
RTP_TOS_DiffServ_Value_[n]_ ~ 0xb8 ~ u8
`,
    },
    {
      group: "Ext_[n]/SIP_Settings",
      index: "line",
      rows: `
SIP_Transport_[n]_ ~ UDP ~ e:UDP|TCP|TLS|AUTO
SIP_Port_[n]_ ~ 5060 ~ port
SIP_100REL_Enable_[n]_ ~ No
EXT_SIP_Port_[n]_ ~ 0 ~ port
Auth_Resync-Reboot_[n]_ ~ Yes
SIP_Proxy-Require_[n]_
SIP_Remote-Party-ID_[n]_ ~ No
Referor_Bye_Delay_[n]_ ~ 4 ~ t:0..65535
Refer-To_Target_Contact_[n]_ ~ No
Referee_Bye_Delay_[n]_ ~ 0 ~ t:0..65535
Refer_Target_Bye_Delay_[n]_ ~ 0 ~ t:0..65535
Sticky_183_[n]_ ~ No
Auth_INVITE_[n]_ ~ No
Ntfy_Refer_On_1xx-To-Inv_[n]_ ~ Yes
Set_G729_annexb_[n]_ ~ yes ~ s
Set_iLBC_mode_[n]_ ~ 20 ~ e:20|30
User_Equal_Phone_[n]_ ~ No
`,
    },
    {
      group: "Ext_[n]/Call_Feature_Settings",
      index: "line",
      rows: `
Blind_Attn-Xfer_Enable_[n]_ ~ No
Message_Waiting_[n]_ ~ No
Auth_Page_[n]_ ~ No
Default_Ring_[n]_ ~ 1 ~ s ~ rw
Auth_Page_Realm_[n]_
Conference_Bridge_URL_[n]_
Auth_Page_Password_[n]_ ~ ~ pw
Mailbox_ID_[n]_
Voice_Mail_Server_[n]_ ~ ~ host
Voice_Mail_Subscribe_Interval_[n]_ ~ 86400 ~ t:10..2147483647
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
Use_OB_Proxy_In_Dialog_[n]_ ~ Yes
Register_[n]_ ~ Yes
Make_Call_Without_Reg_[n]_ ~ No
Register_Expires_[n]_ ~ 3600 ~ i:0..65535
Ans_Call_Without_Reg_[n]_ ~ No
Use_DNS_SRV_[n]_ ~ No
DNS_SRV_Auto_Prefix_[n]_ ~ Yes
Proxy_Fallback_Intvl_[n]_ ~ 600 ~ t:0..65535
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
Auth_ID_[n]_ ~ ~ uid
Reversed_Auth_Realm_[n]_ ~ ~ s
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
G729a_Enable_[n]_ ~ Yes
G722_Enable_[n]_ ~ Yes
G722.2_Enable_[n]_ ~ Yes
iLBC_Enable_[n]_ ~ Yes
iSAC_Enable_[n]_ ~ No
OPUS_Enable_[n]_ ~ Yes
Silence_Supp_Enable_[n]_ ~ No
DTMF_Tx_Method_[n]_ ~ Auto ~ e:InBand|AVT|INFO|Auto|InBand+INFO|AVT+INFO
Codec_Negotiation_[n]_ ~ Default ~ e:Default|List All
Encryption_Method_[n]_ ~ AES 128 ~ s
`,
    },
    {
      group: "Ext_[n]/Dial_Plan",
      index: "line",
      rows: `
Dial_Plan_[n]_ ~ (*xx|[3469]11|0|00|[2-9]xxxxxx|1xxx[2-9]xxxxxxS0|xxxxxxxxxxxx.) ~ dp
Caller_ID_Map_[n]_
Enable_URI_Dialing_[n]_ ~ Yes
Emergency_Number_[n]_
`,
    },
    {
      group: "User/Hold_Reminder",
      ua: "rw",
      rows: `
Hold_Reminder_Timer ~ 0 ~ i:0..99999
Hold_Reminder_Ring ~ 2 ~ s
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
      group: "User/Speed_Dial",
      ua: "rw",
      rows: `
Speed_Dial_2_Name
Speed_Dial_2_Number ~ ~ phone
Speed_Dial_3_Name
Speed_Dial_3_Number ~ ~ phone
Speed_Dial_4_Name
Speed_Dial_4_Number ~ ~ phone
Speed_Dial_5_Name
Speed_Dial_5_Number ~ ~ phone
Speed_Dial_6_Name
Speed_Dial_6_Number ~ ~ phone
Speed_Dial_7_Name
Speed_Dial_7_Number ~ ~ phone
Speed_Dial_8_Name
Speed_Dial_8_Number ~ ~ phone
Speed_Dial_9_Name
Speed_Dial_9_Number ~ ~ phone
`,
    },
    {
      group: "User/Supplementary_Services",
      rows: `
CW_Setting ~ Yes ~ ~ rw
Block_CID_Setting ~ No ~ ~ rw
Block_ANC_Setting ~ No ~ ~ rw
DND_Setting ~ No ~ ~ rw
Secure_Call_Setting ~ No
Dial_Assistance ~ No
Auto_Answer_Page ~ Yes
Preferred_Audio_Device ~ None ~ s
Time_Format ~ 12hr ~ e:12hr|24hr
Date_Format ~ month/day ~ e:month/day|day/month
Miss_Call_Shortcut ~ No
Alert_Tone_Off ~ No ~ ~ rw
Log_Missed_Calls_for_EXT_[n] ~ Yes
Shared_Line_DND_Cfwd_Enable ~ Yes
`,
      index: "line",
    },
    {
      group: "User/Audio_Volume",
      ua: "rw",
      rows: `
Ringer_Volume ~ 9 ~ i:0..15
Speaker_Volume ~ 11 ~ i:0..15
Handset_Volume ~ 9 ~ i:0..15
Headset_Volume ~ 9 ~ i:0..15
Bluetooth_Volume ~ 9 ~ i:0..15
Ehook_Enable ~ No ~ ~ na
`,
    },
    {
      group: "User/Screen",
      ua: "rw",
      rows: `
Screen_Saver_Enable ~ No
Screen_Saver_Type ~ Clock ~ s
Screen_Saver_Wait ~ 300 ~ i:1..65535
Screen_Saver_Refresh_Period ~ 10 ~ i:1..65535
Back_Light_Timer ~ 5m ~ s
Display_Brightness ~ 15 ~ i:4..15
Logo_Type ~ Default ~ s ~ na
Text_Logo ~ ~ s:32 ~ na
Background_Picture_Type ~ Default ~ s
Picture_Download_URL ~ ~ url
`,
    },
    {
      group: "Attendant_Console/General",
      rows: `
Subscribe_Expires ~ 1800 ~ t:10..100000
Subscribe_Retry_Interval ~ 30 ~ t:0..100000
Number_of_Units ~ 0 ~ i:0..3
Subscribe_Delay ~ 1 ~ i:0..100
Server_Type ~ Broadsoft ~ s
BLF_List_URI
Use_Line_Keys_For_BLF_List ~ No
Call_Pickup_Audio_Notification ~ No
Attendant_Console_LCD_Brightness ~ 12 ~ i:1..15
BXfer_To_Starcode_Enable ~ No
BXfer_On_Speed_Dial_Enable ~ Yes
BLF_Label_Display_Mode ~ Name ~ e:Name|Ext|Both
`,
      models: ["CP-6851-3PCC", "CP-8851-3PCC", "CP-8861-3PCC"],
    },
    {
      group: "TR-069/TR-069",
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
TR-069_Fallback_Support ~ No
BACKUP_ACS_URL ~ ~ url
BACKUP_ACS_User
BACKUP_ACS_Password ~ ~ pw
`,
    },
    {
      // Wi-Fi profiles as the 88xx export writes them (profile 1 carries more fields than
      // 2 and 3); the export states no ua for them. Names start lower-case, unlike the rest.
      group: "Wi-Fi/Wi-Fi_Profile",
      rows: `
profileName_1_ ~ cisco-voice
ssid_1_ ~ cisco-voice
securityMode_1_ ~ EAP-FAST
cipherType_1_ ~ TKIP
wepKeyId_1_ ~ 1
wepKeyLen_1_ ~ 64 bits(10 hex digits)
wepKey_1_ ~ ~ pw
passphrase_1_ ~ ~ pw
frequencyMode_1_ ~ AUTO
eapType_1_
serverCert_1_
clientCert_1_
ttlsAuthProto_1_ ~ MD5
${WIFI_PROFILES_2_3_ROWS}
`,
      models: ["CP-8811-3PCC", "CP-8841-3PCC", "CP-8851-3PCC", "CP-8861-3PCC"],
    },
  ],
};
