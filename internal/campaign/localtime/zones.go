package localtime

// countryZones is each country's main time zone (where most of its people live). For
// countries spanning several zones (US, CA, BR, RU, AU, MX, ID…) it is an approximation:
// a recipient's own "timezone" attribute is the way to be exact.
var countryZones = map[string]string{
	"AD": "Europe/Andorra", "AE": "Asia/Dubai", "AF": "Asia/Kabul", "AL": "Europe/Tirane", "AM": "Asia/Yerevan",
	"AO": "Africa/Luanda", "AR": "America/Argentina/Buenos_Aires", "AT": "Europe/Vienna", "AU": "Australia/Sydney",
	"AZ": "Asia/Baku", "BA": "Europe/Sarajevo", "BD": "Asia/Dhaka", "BE": "Europe/Brussels", "BG": "Europe/Sofia",
	"BH": "Asia/Bahrain", "BO": "America/La_Paz", "BR": "America/Sao_Paulo", "BY": "Europe/Minsk", "CA": "America/Toronto",
	"CH": "Europe/Zurich", "CL": "America/Santiago", "CN": "Asia/Shanghai", "CO": "America/Bogota", "CR": "America/Costa_Rica",
	"CY": "Asia/Nicosia", "CZ": "Europe/Prague", "DE": "Europe/Berlin", "DK": "Europe/Copenhagen", "DO": "America/Santo_Domingo",
	"DZ": "Africa/Algiers", "EC": "America/Guayaquil", "EE": "Europe/Tallinn", "EG": "Africa/Cairo", "ES": "Europe/Madrid",
	"ET": "Africa/Addis_Ababa", "FI": "Europe/Helsinki", "FR": "Europe/Paris", "GB": "Europe/London", "GE": "Asia/Tbilisi",
	"GH": "Africa/Accra", "GR": "Europe/Athens", "GT": "America/Guatemala", "HK": "Asia/Hong_Kong", "HR": "Europe/Zagreb",
	"HU": "Europe/Budapest", "ID": "Asia/Jakarta", "IE": "Europe/Dublin", "IL": "Asia/Jerusalem", "IN": "Asia/Kolkata",
	"IQ": "Asia/Baghdad", "IR": "Asia/Tehran", "IS": "Atlantic/Reykjavik", "IT": "Europe/Rome", "JM": "America/Jamaica",
	"JO": "Asia/Amman", "JP": "Asia/Tokyo", "KE": "Africa/Nairobi", "KR": "Asia/Seoul", "KW": "Asia/Kuwait",
	"KZ": "Asia/Almaty", "LB": "Asia/Beirut", "LI": "Europe/Vaduz", "LK": "Asia/Colombo", "LT": "Europe/Vilnius",
	"LU": "Europe/Luxembourg", "LV": "Europe/Riga", "MA": "Africa/Casablanca", "MC": "Europe/Monaco", "MD": "Europe/Chisinau",
	"ME": "Europe/Podgorica", "MK": "Europe/Skopje", "MT": "Europe/Malta", "MX": "America/Mexico_City", "MY": "Asia/Kuala_Lumpur",
	"NG": "Africa/Lagos", "NL": "Europe/Amsterdam", "NO": "Europe/Oslo", "NP": "Asia/Kathmandu", "NZ": "Pacific/Auckland",
	"OM": "Asia/Muscat", "PA": "America/Panama", "PE": "America/Lima", "PH": "Asia/Manila", "PK": "Asia/Karachi",
	"PL": "Europe/Warsaw", "PR": "America/Puerto_Rico", "PT": "Europe/Lisbon", "PY": "America/Asuncion", "QA": "Asia/Qatar",
	"RO": "Europe/Bucharest", "RS": "Europe/Belgrade", "RU": "Europe/Moscow", "SA": "Asia/Riyadh", "SE": "Europe/Stockholm",
	"SG": "Asia/Singapore", "SI": "Europe/Ljubljana", "SK": "Europe/Bratislava", "SN": "Africa/Dakar", "TH": "Asia/Bangkok",
	"TN": "Africa/Tunis", "TR": "Europe/Istanbul", "TW": "Asia/Taipei", "TZ": "Africa/Dar_es_Salaam", "UA": "Europe/Kyiv",
	"UG": "Africa/Kampala", "US": "America/New_York", "UY": "America/Montevideo", "UZ": "Asia/Tashkent", "VE": "America/Caracas",
	"VN": "Asia/Ho_Chi_Minh", "ZA": "Africa/Johannesburg", "ZW": "Africa/Harare",
}
