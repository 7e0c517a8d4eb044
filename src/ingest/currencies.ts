// acctnet/ingest/currencies: the ISO 4217 codes acctnet accepts and their minor-unit exponents, frozen.
//
// Amounts are stored as integer minor units of the exponent in force when they were written, so the
// exponents must not move under stored data. Until 2026-12-06 they were read from the runtime's ICU
// data at every start (Intl.NumberFormat): a Node upgrade that changed a currency's digits would have
// changed the meaning of every amount stored in it, silently. They are now this table, taken from
// Node 20's ICU 78.2 (CLDR 48.0) — exactly what every amount stored so far was written with.
//
// CLDR's digits are not always ISO 4217's minor units: where a currency's coins are out of use CLDR
// says 0, and so does this table — AFN, ALL, COP, HUF, IDR, IRR, KPW, LAK, LBP, MGA, MMK, PKR, SLL,
// SOS, SYP and YER (ISO: 2) and IQD (ISO: 3). An amount with decimals in one of them is rejected
// (docs/ingest.md). ISO codes ICU does not list (CLF, USN, the X… funds and metals but XDR and XSU)
// are not accepted as ISO codes; a team that needs one names it in ACCTNET_CURRENCY_EXPONENTS.

const ZERO = [
  'AFN ALL BIF CLP COP DJF GNF HUF IDR IQD IRR ISK JPY KMF KPW KRW LAK LBP MGA MMK PKR PYG RWF SLL',
  'SOS SYP UGX VND VUV XAF XOF XPF YER',
]
  .join(' ')
  .split(' ');

const THREE = ['BHD JOD KWD LYD OMR TND'].join(' ').split(' ');

const TWO = [
  'AED AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF',
  'CNY CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL',
  'HRK HTG ILS INR JMD KES KGS KHR KYD KZT LKR LRD LSL MAD MDL MKD MNT MOP MRU MUR MVR MWK MXN MYR',
  'MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE',
  'SRD SSP STN SVC SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD XCG XDR XSU ZAR',
  'ZMW ZWG ZWL',
]
  .join(' ')
  .split(' ');

/** ISO 4217 code → minor-unit exponent (162 codes). */
export const ISO_CURRENCY_EXPONENTS: ReadonlyMap<string, number> = new Map([
  ...ZERO.map((c) => [c, 0] as const),
  ...TWO.map((c) => [c, 2] as const),
  ...THREE.map((c) => [c, 3] as const),
]);
