/* Covariates: country-code tables. Sources spell countries differently:
 * DESTA uses ISO 3166-1 numeric codes, CEPII keeps pre-2000 codes (ROM, YUG,
 * ZAR, TMP, PAL) and a COD that means Congo-Brazzaville, Hofstede's academic
 * file uses its own three-letter codes (CHI = China, IDO = Indonesia, and
 * some that collide with ISO codes of other countries: MNG = Montenegro,
 * SLV = Slovenia, MAC = Macedonia, BEN = Belgium's Dutch part), the Hofstede
 * Insights file only names the countries. Everything here maps to ISO3. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cov_internal.h"
#include "silkflow/mrio.h"

/* ---------------- ISO 3166-1 numeric -> alpha-3 ----------------
 * The table is ISO 3166-1 (the 249 officially assigned codes), followed by
 * codes that data sources still use: 530 ANT (Netherlands Antilles, ISO
 * 3166-3, used by Eora, CEPII and WGI), 736 SDN (Sudan's code before 2011,
 * used by CEPII) and 900 XKX (Kosovo: not in ISO 3166; 900 is the
 * user-assigned number DESTA uses, XKX the World Bank's code). For the
 * reverse lookup the first entry wins, so SDN gives 729. */
typedef struct {
    int num;
    const char *a3;
} iso_num_t;

static const iso_num_t ISO_NUM[] = {
    {4, "AFG"},   {8, "ALB"},   {10, "ATA"},  {12, "DZA"},  {16, "ASM"},  {20, "AND"},  {24, "AGO"},
    {28, "ATG"},  {31, "AZE"},  {32, "ARG"},  {36, "AUS"},  {40, "AUT"},  {44, "BHS"},  {48, "BHR"},
    {50, "BGD"},  {51, "ARM"},  {52, "BRB"},  {56, "BEL"},  {60, "BMU"},  {64, "BTN"},  {68, "BOL"},
    {70, "BIH"},  {72, "BWA"},  {74, "BVT"},  {76, "BRA"},  {84, "BLZ"},  {86, "IOT"},  {90, "SLB"},
    {92, "VGB"},  {96, "BRN"},  {100, "BGR"}, {104, "MMR"}, {108, "BDI"}, {112, "BLR"}, {116, "KHM"},
    {120, "CMR"}, {124, "CAN"}, {132, "CPV"}, {136, "CYM"}, {140, "CAF"}, {144, "LKA"}, {148, "TCD"},
    {152, "CHL"}, {156, "CHN"}, {158, "TWN"}, {162, "CXR"}, {166, "CCK"}, {170, "COL"}, {174, "COM"},
    {175, "MYT"}, {178, "COG"}, {180, "COD"}, {184, "COK"}, {188, "CRI"}, {191, "HRV"}, {192, "CUB"},
    {196, "CYP"}, {203, "CZE"}, {204, "BEN"}, {208, "DNK"}, {212, "DMA"}, {214, "DOM"}, {218, "ECU"},
    {222, "SLV"}, {226, "GNQ"}, {231, "ETH"}, {232, "ERI"}, {233, "EST"}, {234, "FRO"}, {238, "FLK"},
    {239, "SGS"}, {242, "FJI"}, {246, "FIN"}, {248, "ALA"}, {250, "FRA"}, {254, "GUF"}, {258, "PYF"},
    {260, "ATF"}, {262, "DJI"}, {266, "GAB"}, {268, "GEO"}, {270, "GMB"}, {275, "PSE"}, {276, "DEU"},
    {288, "GHA"}, {292, "GIB"}, {296, "KIR"}, {300, "GRC"}, {304, "GRL"}, {308, "GRD"}, {312, "GLP"},
    {316, "GUM"}, {320, "GTM"}, {324, "GIN"}, {328, "GUY"}, {332, "HTI"}, {334, "HMD"}, {336, "VAT"},
    {340, "HND"}, {344, "HKG"}, {348, "HUN"}, {352, "ISL"}, {356, "IND"}, {360, "IDN"}, {364, "IRN"},
    {368, "IRQ"}, {372, "IRL"}, {376, "ISR"}, {380, "ITA"}, {384, "CIV"}, {388, "JAM"}, {392, "JPN"},
    {398, "KAZ"}, {400, "JOR"}, {404, "KEN"}, {408, "PRK"}, {410, "KOR"}, {414, "KWT"}, {417, "KGZ"},
    {418, "LAO"}, {422, "LBN"}, {426, "LSO"}, {428, "LVA"}, {430, "LBR"}, {434, "LBY"}, {438, "LIE"},
    {440, "LTU"}, {442, "LUX"}, {446, "MAC"}, {450, "MDG"}, {454, "MWI"}, {458, "MYS"}, {462, "MDV"},
    {466, "MLI"}, {470, "MLT"}, {474, "MTQ"}, {478, "MRT"}, {480, "MUS"}, {484, "MEX"}, {492, "MCO"},
    {496, "MNG"}, {498, "MDA"}, {499, "MNE"}, {500, "MSR"}, {504, "MAR"}, {508, "MOZ"}, {512, "OMN"},
    {516, "NAM"}, {520, "NRU"}, {524, "NPL"}, {528, "NLD"}, {531, "CUW"}, {533, "ABW"}, {534, "SXM"},
    {535, "BES"}, {540, "NCL"}, {548, "VUT"}, {554, "NZL"}, {558, "NIC"}, {562, "NER"}, {566, "NGA"},
    {570, "NIU"}, {574, "NFK"}, {578, "NOR"}, {580, "MNP"}, {581, "UMI"}, {583, "FSM"}, {584, "MHL"},
    {585, "PLW"}, {586, "PAK"}, {591, "PAN"}, {598, "PNG"}, {600, "PRY"}, {604, "PER"}, {608, "PHL"},
    {612, "PCN"}, {616, "POL"}, {620, "PRT"}, {624, "GNB"}, {626, "TLS"}, {630, "PRI"}, {634, "QAT"},
    {638, "REU"}, {642, "ROU"}, {643, "RUS"}, {646, "RWA"}, {652, "BLM"}, {654, "SHN"}, {659, "KNA"},
    {660, "AIA"}, {662, "LCA"}, {663, "MAF"}, {666, "SPM"}, {670, "VCT"}, {674, "SMR"}, {678, "STP"},
    {682, "SAU"}, {686, "SEN"}, {688, "SRB"}, {690, "SYC"}, {694, "SLE"}, {702, "SGP"}, {703, "SVK"},
    {704, "VNM"}, {705, "SVN"}, {706, "SOM"}, {710, "ZAF"}, {716, "ZWE"}, {724, "ESP"}, {728, "SSD"},
    {729, "SDN"}, {732, "ESH"}, {740, "SUR"}, {744, "SJM"}, {748, "SWZ"}, {752, "SWE"}, {756, "CHE"},
    {760, "SYR"}, {762, "TJK"}, {764, "THA"}, {768, "TGO"}, {772, "TKL"}, {776, "TON"}, {780, "TTO"},
    {784, "ARE"}, {788, "TUN"}, {792, "TUR"}, {795, "TKM"}, {796, "TCA"}, {798, "TUV"}, {800, "UGA"},
    {804, "UKR"}, {807, "MKD"}, {818, "EGY"}, {826, "GBR"}, {831, "GGY"}, {832, "JEY"}, {833, "IMN"},
    {834, "TZA"}, {840, "USA"}, {850, "VIR"}, {854, "BFA"}, {858, "URY"}, {860, "UZB"}, {862, "VEN"},
    {876, "WLF"}, {882, "WSM"}, {887, "YEM"}, {894, "ZMB"},
    /* not (or no longer) in ISO 3166-1, used by data sources */
    {530, "ANT"}, {736, "SDN"}, {900, "XKX"},
};
#define N_ISO_NUM (sizeof ISO_NUM / sizeof ISO_NUM[0])

const char *sf_iso_numeric_to_alpha3(int num)
{
    for (size_t i = 0; i < N_ISO_NUM; i++)
        if (ISO_NUM[i].num == num) return ISO_NUM[i].a3;
    return NULL;
}

int sf_iso_alpha3_to_numeric(const char *alpha3)
{
    if (!alpha3) return -1;
    for (size_t i = 0; i < N_ISO_NUM; i++)
        if (!strcmp(ISO_NUM[i].a3, alpha3)) return ISO_NUM[i].num;
    return -1;
}

/* ---------------- canonical codes ---------------- */

const char *cov_canon(const char *code, char *buf)
{
    char up[16];
    size_t i = 0;
    for (; code[i] && i < sizeof up - 1; i++) up[i] = (char)toupper((unsigned char)code[i]);
    up[i] = '\0';
    const char *a = sf_alias(up);
    if (!strcmp(a, "SUD")) a = "SDN"; /* Eora: Sudan (before the 2011 split) */
    if (!strcmp(a, "SDS")) a = "SSD"; /* Eora: South Sudan */
    snprintf(buf, 16, "%s", a);
    return buf;
}

/* CEPII GeoDist (dist_cepii.csv) still uses the codes of the 1990s. In the
 * copy shipped here COD is the Republic of the Congo (Brazzaville: its self
 * distance 219.96 km equals geo_cepii's COG internal distance, and its
 * colonial tie is France) and ZAR is the Democratic Republic of the Congo.
 * Serbia and Montenegro are one entry, YUG (capital Belgrade). */
const char *cov_cepii_dist_code(const char *iso3)
{
    static const char *const MAP[][2] = {
        {"ROU", "ROM"}, {"COD", "ZAR"}, {"COG", "COD"}, {"TLS", "TMP"},
        {"PSE", "PAL"}, {"SRB", "YUG"}, {"MNE", "YUG"},
    };
    for (size_t i = 0; i < sizeof MAP / sizeof MAP[0]; i++)
        if (!strcmp(MAP[i][0], iso3)) return MAP[i][1];
    return iso3;
}

/* geo_cepii.csv: the same old codes, but Congo-Brazzaville is COG there. */
const char *cov_cepii_geo_code(const char *iso3)
{
    static const char *const MAP[][2] = {
        {"ROU", "ROM"}, {"COD", "ZAR"}, {"TLS", "TMP"}, {"PSE", "PAL"}, {"SRB", "YUG"}, {"MNE", "YUG"},
    };
    for (size_t i = 0; i < sizeof MAP / sizeof MAP[0]; i++)
        if (!strcmp(MAP[i][0], iso3)) return MAP[i][1];
    return iso3;
}

/* ---------------- Hofstede academic file codes ----------------
 * Every code of hofstede_6d_2015-08-16.csv with the country name the file
 * gives it. "" = not one country: regional aggregates (AFE Africa East, AFW
 * Africa West, ARA Arab countries) and sub-national samples (Belgium French
 * and Netherl, Canada French, Germany East, South Africa white, Switzerland
 * French and German). A row whose name differs from the table is skipped
 * with a warning, so a file that reuses a code differently cannot slip in. */
typedef struct {
    const char *code, *name, *iso3;
} hof_code_t;

static const hof_code_t HOF[] = {
    {"AFE", "Africa East", ""},
    {"AFW", "Africa West", ""},
    {"ALB", "Albania", "ALB"},
    {"ALG", "Algeria", "DZA"},
    {"AND", "Andorra", "AND"},
    {"ARA", "Arab countries", ""},
    {"ARG", "Argentina", "ARG"},
    {"ARM", "Armenia", "ARM"},
    {"AUL", "Australia", "AUS"},
    {"AUT", "Austria", "AUT"},
    {"AZE", "Azerbaijan", "AZE"},
    {"BAN", "Bangladesh", "BGD"},
    {"BLR", "Belarus", "BLR"},
    {"BEL", "Belgium", "BEL"},
    {"BEF", "Belgium French", ""},
    {"BEN", "Belgium Netherl", ""},
    {"BOS", "Bosnia", "BIH"},
    {"BRA", "Brazil", "BRA"},
    {"BUL", "Bulgaria", "BGR"},
    {"BUF", "Burkina Faso", "BFA"},
    {"CAN", "Canada", "CAN"},
    {"CAF", "Canada French", ""},
    {"CHL", "Chile", "CHL"},
    {"CHI", "China", "CHN"},
    {"COL", "Colombia", "COL"},
    {"COS", "Costa Rica", "CRI"},
    {"CRO", "Croatia", "HRV"},
    {"CYP", "Cyprus", "CYP"},
    {"CZE", "Czech Rep", "CZE"},
    {"DEN", "Denmark", "DNK"},
    {"ECA", "Ecuador", "ECU"},
    {"EGY", "Egypt", "EGY"},
    {"ETH", "Ethiopia", "ETH"},
    {"SAL", "El Salvador", "SLV"},
    {"EST", "Estonia", "EST"},
    {"FIN", "Finland", "FIN"},
    {"FRA", "France", "FRA"},
    {"GEO", "Georgia", "GEO"},
    {"GER", "Germany", "DEU"},
    {"GEE", "Germany East", ""},
    {"GHA", "Ghana", "GHA"},
    {"GBR", "Great Britain", "GBR"},
    {"GRE", "Greece", "GRC"},
    {"GUA", "Guatemala", "GTM"},
    {"HOK", "Hong Kong", "HKG"},
    {"HUN", "Hungary", "HUN"},
    {"ICE", "Iceland", "ISL"},
    {"IND", "India", "IND"},
    {"IDO", "Indonesia", "IDN"},
    {"IRA", "Iran", "IRN"},
    {"IRQ", "Iraq", "IRQ"},
    {"IRE", "Ireland", "IRL"},
    {"ISR", "Israel", "ISR"},
    {"ITA", "Italy", "ITA"},
    {"JAM", "Jamaica", "JAM"},
    {"JPN", "Japan", "JPN"},
    {"JOR", "Jordan", "JOR"},
    {"KOR", "Korea South", "KOR"},
    {"KYR", "Kyrgyz Rep", "KGZ"},
    {"LAT", "Latvia", "LVA"},
    {"LIT", "Lithuania", "LTU"},
    {"LUX", "Luxembourg", "LUX"},
    {"MAC", "Macedonia Rep", "MKD"},
    {"MAL", "Malaysia", "MYS"},
    {"MLI", "Mali", "MLI"},
    {"MLT", "Malta", "MLT"},
    {"MEX", "Mexico", "MEX"},
    {"MOL", "Moldova", "MDA"},
    {"MNG", "Montenegro", "MNE"},
    {"MOR", "Morocco", "MAR"},
    {"NET", "Netherlands", "NLD"},
    {"NZL", "New Zealand", "NZL"},
    {"NIG", "Nigeria", "NGA"},
    {"NOR", "Norway", "NOR"},
    {"PAK", "Pakistan", "PAK"},
    {"PAN", "Panama", "PAN"},
    {"PER", "Peru", "PER"},
    {"PHI", "Philippines", "PHL"},
    {"POL", "Poland", "POL"},
    {"POR", "Portugal", "PRT"},
    {"PUE", "Puerto Rico", "PRI"},
    {"ROM", "Romania", "ROU"},
    {"RUS", "Russia", "RUS"},
    {"RWA", "Rwanda", "RWA"},
    {"SAU", "Saudi Arabia", "SAU"},
    {"SER", "Serbia", "SRB"},
    {"SIN", "Singapore", "SGP"},
    {"SLK", "Slovak Rep", "SVK"},
    {"SLV", "Slovenia", "SVN"},
    {"SAF", "South Africa", "ZAF"},
    {"SAW", "South Africa white", ""},
    {"SPA", "Spain", "ESP"},
    {"SUR", "Suriname", "SUR"},
    {"SWE", "Sweden", "SWE"},
    {"SWI", "Switzerland", "CHE"},
    {"SWF", "Switzerland French", ""},
    {"SWG", "Switzerland German", ""},
    {"TAI", "Taiwan", "TWN"},
    {"TAN", "Tanzania", "TZA"},
    {"THA", "Thailand", "THA"},
    {"TRI", "Trinidad and Tobago", "TTO"},
    {"TUR", "Turkey", "TUR"},
    {"USA", "U.S.A.", "USA"},
    {"UGA", "Uganda", "UGA"},
    {"UKR", "Ukraine", "UKR"},
    {"URU", "Uruguay", "URY"},
    {"VEN", "Venezuela", "VEN"},
    {"VIE", "Vietnam", "VNM"},
    {"ZAM", "Zambia", "ZMB"},
    {"ZIM", "Zimbabwe", "ZWE"},
};

const char *cov_hofstede_iso3(const char *code, const char **name)
{
    for (size_t i = 0; i < sizeof HOF / sizeof HOF[0]; i++)
        if (!strcmp(HOF[i].code, code)) {
            if (name) *name = HOF[i].name;
            return HOF[i].iso3;
        }
    if (name) *name = NULL;
    return NULL;
}

/* ---------------- country names ----------------
 * Names in the Hofstede Insights file (and common short names) that are not
 * the World Bank's names (Metadata_Country TableName). */
const char *cov_name_alias_iso3(const char *name)
{
    static const char *const MAP[][2] = {
        {"Cape Verde", "CPV"},
        {"Czech Republic", "CZE"},
        {"Egypt", "EGY"},
        {"Hong Kong", "HKG"},
        {"Iran", "IRN"},
        {"Russia", "RUS"},
        {"S\xc3\xa3o Tom\xc3\xa9 and Pr\xc3\xadncipe", "STP"},
        {"Slovakia", "SVK"},
        {"South Korea", "KOR"},
        {"Syria", "SYR"},
        {"Taiwan", "TWN"},
        {"Turkey", "TUR"},
        {"Venezuela", "VEN"},
        {"Kyrgyzstan", "KGZ"},
        {"Laos", "LAO"},
        {"Vietnam", "VNM"},
        {"Yemen", "YEM"},
        {"North Korea", "PRK"},
        {"Macedonia", "MKD"},
        {"Brunei", "BRN"},
        {"Gambia", "GMB"},
        {"Bahamas", "BHS"},
        {"Congo", "COG"},
        {"Ivory Coast", "CIV"},
        {"Micronesia", "FSM"},
        {"Palestine", "PSE"},
        {"Macau", "MAC"},
        {"Saint Lucia", "LCA"},
        {"United States of America", "USA"},
    };
    for (size_t i = 0; i < sizeof MAP / sizeof MAP[0]; i++)
        if (sf_streq_nocase(MAP[i][0], name)) return MAP[i][1];
    return NULL;
}
