/*
 * banned.h - libc functions that are a compile error in hutch.
 *
 * Each is either unbounded (strcpy, sprintf), silently wrong on bad input
 * (atoi cannot report an error) or hidden global state (strtok).  Use
 * snprintf, the x*() helpers of util.h and parse_*() of parse.h instead.
 * Every .c file includes it after all other headers, so that the system
 * headers (whose fortified inlines use these names) are not affected.
 */
#pragma once

#undef strcpy
#define strcpy(...) hutch_banned_strcpy_use_snprintf
#undef strcat
#define strcat(...) hutch_banned_strcat_use_snprintf
#undef strncpy
#define strncpy(...) hutch_banned_strncpy_use_snprintf
#undef strncat
#define strncat(...) hutch_banned_strncat_use_snprintf
#undef sprintf
#define sprintf(...) hutch_banned_sprintf_use_snprintf
#undef vsprintf
#define vsprintf(...) hutch_banned_vsprintf_use_vsnprintf
#undef strtok
#define strtok(...) hutch_banned_strtok_use_strtok_r
#undef atoi
#define atoi(...) hutch_banned_atoi_use_parse_int
#undef atol
#define atol(...) hutch_banned_atol_use_parse_int
#undef atoll
#define atoll(...) hutch_banned_atoll_use_parse_int
#undef gets
#define gets(...) hutch_banned_gets
