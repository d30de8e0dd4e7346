import type { FamilySection } from "./family_table.ts";

/**
 * Sections whose parameters and factory facts are identical in several family tables
 * (the families share one firmware code base there); each family table imports them.
 */

/** Star codes of the SPA phones (SPA30x/50x, SPA525G2, SPA9x2). */
export const SPA_PHONE_VERTICAL_SERVICE_ACTIVATION_CODES: FamilySection = {
  group: "Regional/Vertical_Service_Activation_Codes",
  type: "code",
  rows: `
Call_Return_Code ~ *69
Blind_Transfer_Code ~ *98
Call_Back_Act_Code ~ *66
Call_Back_Deact_Code ~ *86
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
Block_CID_Act_Code ~ *67
Block_CID_Deact_Code ~ *68
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
Call_Park_Code ~ *38
Call_Pickup_Code ~ *36
Call_UnPark_Code ~ *39
Group_Call_Pickup_Code ~ *37
Media_Loopback_Code ~ *03
Referral_Services_Codes ~ ~ s
Feature_Dial_Services_Codes ~ ~ s
`,
};

/** General purpose provisioning parameters GPP_A..GPP_P of the SPA ATAs, SPA phones and MPP ATAs. */
export const PROVISIONING_GENERAL_PURPOSE_PARAMETERS: FamilySection = {
  group: "Provisioning/General_Purpose_Parameters",
  type: "s:2047",
  rows: `
GPP_A
GPP_B
GPP_C
GPP_D
GPP_E
GPP_F
GPP_G
GPP_H
GPP_I
GPP_J
GPP_K
GPP_L
GPP_M
GPP_N
GPP_O
GPP_P
GPP_SA ~ ~ pw:2047
GPP_SB ~ ~ pw:2047
GPP_SC ~ ~ pw:2047
GPP_SD ~ ~ pw:2047
`,
};

/** SIP timers of the SPA phones. */
export const SPA_PHONE_SIP_TIMER_VALUES: FamilySection = {
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
INVITE_Expires ~ 240
ReINVITE_Expires ~ 30
Reg_Min_Expires ~ 1
Reg_Max_Expires ~ 7200
Reg_Retry_Intvl ~ 30
Reg_Retry_Long_Intvl ~ 1200
Reg_Retry_Random_Delay ~ ~ t?:0..65535
Reg_Retry_Long_Random_Delay ~ ~ t?:0..65535
Reg_Retry_Intvl_Cap ~ ~ t?:0..65535
Sub_Min_Expires ~ 10
Sub_Max_Expires ~ 7200
Sub_Retry_Intvl ~ 10
`,
};

/** Ring cadences of the SPA and MPP phones. */
export const PHONE_DISTINCTIVE_RING_PATTERNS: FamilySection = {
  group: "Regional/Distinctive_Ring_Patterns",
  type: "cad",
  rows: `
Cadence_1 ~ 60(2/4)
Cadence_2 ~ 60(.3/.2,1/.2,.3/4)
Cadence_3 ~ 60(.8/.4,.8/4)
Cadence_4 ~ 60(.4/.2,.3/.2,.8/4)
Cadence_5 ~ 60(.2/.2,.2/.2,.2/.2,1/4)
Cadence_6 ~ 60(.2/.4,.2/.4,.2/4)
Cadence_7 ~ 60(4.5/4)
Cadence_8 ~ 60(0.25/9.75)
Cadence_9 ~ 60(.4/.2,.4/2)
`,
};

/** Call progress tones of the SPA30x/50x and SPA9x2 phones. */
export const SPA_PHONE_CALL_PROGRESS_TONES: FamilySection = {
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
SIT1_Tone ~ 985@-16,1428@-16,1777@-16;20(.380/0/1,.380/0/2,.380/0/3,0/4/0)
SIT2_Tone ~ 914@-16,1371@-16,1777@-16;20(.274/0/1,.274/0/2,.380/0/3,0/4/0)
SIT3_Tone ~ 914@-16,1371@-16,1777@-16;20(.380/0/1,.380/0/2,.380/0/3,0/4/0)
SIT4_Tone ~ 985@-16,1371@-16,1777@-16;20(.380/0/1,.274/0/2,.380/0/3,0/4/0)
MWI_Dial_Tone ~ 350@-19,440@-19;2(.1/.1/1+2);10(*/0/1+2)
Cfwd_Dial_Tone ~ 350@-19,440@-19;2(.2/.2/1+2);10(*/0/1+2)
Holding_Tone ~ 600@-19;25(.1/.1/1,.1/.1/1,.1/9.5/1)
Conference_Tone ~ 350@-19;20(.1/.1/1,.1/9.7/1)
Secure_Call_Indication_Tone ~ 397@-19,507@-19;15(0/2/0,.2/.1/1,.1/2.1/2)
Page_Tone ~ 600@-16;.3(.05/0.05/1)
Alert_Tone ~ 600@-19;.2(.05/0.05/1)
`,
};

/** Line key LED patterns of the SPA50x and SPA525G2 phones. */
export const SPA_PHONE_LINE_KEY_LED_PATTERN: FamilySection = {
  group: "Phone/Line_Key_LED_Pattern",
  type: "s",
  rows: `
Idle_LED
Remote_Undefined_LED
Local_Seized_LED
Remote_Seized_LED
Local_Progressing_LED
Remote_Progressing_LED
Local_Ringing_LED
Remote_Ringing_LED
Local_Active_LED
Remote_Active_LED
Local_Held_LED
Remote_Held_LED
Register_Failed_LED
Disabled_LED
Registering_LED
Call_Back_Active_LED
Trunk_No_Service_LED
Trunk_Reserved_LED
Trunk_In-use_LED
`,
};

/** Response status code handling of the SPA ATAs and phones. */
export const SIP_RESPONSE_STATUS_CODE_HANDLING: FamilySection = {
  group: "SIP/Response_Status_Code_Handling",
  rows: `
SIT1_RSC
SIT2_RSC
SIT3_RSC
SIT4_RSC
Try_Backup_RSC
Retry_Reg_RSC
`,
};

/** Firmware upgrade parameters of the SPA phones. */
export const SPA_PHONE_FIRMWARE_UPGRADE: FamilySection = {
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
`,
};

/** NAT support parameters of the SPA1xx, SPA525G2 and MPP ATAs. */
export const SIP_NAT_SUPPORT_PARAMETERS: FamilySection = {
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
EXT_RTP_Port_Min ~ ~ s
NAT_Keep_Alive_Intvl ~ 15 ~ t:0..65535
Redirect_Keep_Alive ~ No
`,
};

/** Codec selection star codes of the firmware 5.x/6.x SPA ATAs and SPA9x2 phones (same codec set). */
export const SPA_OUTBOUND_CALL_CODEC_SELECTION_CODES: FamilySection = {
  group: "Regional/Outbound_Call_Codec_Selection_Codes",
  type: "code",
  rows: `
Prefer_G711u_Code ~ *017110
Force_G711u_Code ~ *027110
Prefer_G711a_Code ~ *017111
Force_G711a_Code ~ *027111
Prefer_G723_Code ~ *01723
Force_G723_Code ~ *02723
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
};

/** LDAP directory parameters of the SPA30x/50x and SPA9x2 phones. */
export const SPA_PHONE_LDAP_CORPORATE_DIRECTORY_SEARCH: FamilySection = {
  group: "Phone/LDAP_Corporate_Directory_Search",
  rows: `
LDAP_Dir_Enable ~ No
LDAP_Corp_Dir_Name
LDAP_Server ~ ~ host
LDAP_Auth_Method ~ None ~ e:None|Simple|DIGEST-MD5
LDAP_Client_DN
LDAP_Username
LDAP_Password ~ ~ pw
LDAP_Search_Base
LDAP_Last_Name_Filter
LDAP_First_Name_Filter
LDAP_Search_Item_3
LDAP_Item_3_Filter
LDAP_Search_Item_4
LDAP_item_4_Filter
LDAP_Display_Attrs
LDAP_Number_Mapping
`,
};

/** General purpose provisioning parameters of the SPA525G2 and MPP phones. */
export const PHONE_GENERAL_PURPOSE_PARAMETERS: FamilySection = {
  group: "Provisioning/General_Purpose_Parameters",
  type: "s:2047",
  rows: `
GPP_A
GPP_B
GPP_C
GPP_D
GPP_E
GPP_F
GPP_G
GPP_H
GPP_I
GPP_J
GPP_K
GPP_L
GPP_M
GPP_N
GPP_O
GPP_P
`,
};

/** NAT support parameters of the SPA30x/50x and SPA9x2 phones. */
export const SPA_PHONE_NAT_SUPPORT_PARAMETERS: FamilySection = {
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
EXT_RTP_Port_Min ~ ~ s
NAT_Keep_Alive_Intvl ~ 15 ~ t:0..65535
`,
};

/** Per-extension NAT settings of the SPA and MPP phones. */
export const PHONE_EXT_NAT_SETTINGS: FamilySection = {
  group: "Ext_[n]/NAT_Settings",
  index: "line",
  rows: `
NAT_Mapping_Enable_[n]_ ~ No
NAT_Keep_Alive_Enable_[n]_ ~ No
NAT_Keep_Alive_Msg_[n]_ ~ $NOTIFY
NAT_Keep_Alive_Dest_[n]_ ~ $PROXY
`,
};

/** Wi-Fi profiles 2 and 3 as the 88xx and SPA525G2 exports write them (profile 1 differs). */
export const WIFI_PROFILES_2_3_ROWS = `
profileName_2_
ssid_2_
securityMode_2_ ~ Disable
cipherType_2_
wepKeyId_2_
wepKeyLen_2_
wepKey0_2_ ~ ~ pw
wepKey1_2_ ~ ~ pw
wepKey2_2_ ~ ~ pw
wepKey3_2_ ~ ~ pw
pskKey_2_ ~ ~ pw
eapType_2_
identity_2_
password_2_ ~ ~ pw
anonymousIdentity_2_
serverCert_2_
clientCert_2_
ttlsAuthProto_2_
profileLock_2_
profileEnable_2_
profileName_3_
ssid_3_
securityMode_3_ ~ Disable
cipherType_3_
wepKeyId_3_
wepKeyLen_3_
wepKey0_3_ ~ ~ pw
wepKey1_3_ ~ ~ pw
wepKey2_3_ ~ ~ pw
wepKey3_3_ ~ ~ pw
pskKey_3_ ~ ~ pw
eapType_3_
identity_3_
password_3_ ~ ~ pw
anonymousIdentity_3_
serverCert_3_
clientCert_3_
ttlsAuthProto_3_
profileLock_3_
profileEnable_3_
`.trim();
