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
