/**
 * Name and job tables for the generated university: Norwegian names with æ/ø/å, plus names with
 * é, ü, ö, ñ, ß and apostrophes, because real staff lists have them and username code must cope.
 */

export const GIVEN_NAMES: readonly string[] = [
  'Kari', 'Ola', 'Åse', 'Bjørn', 'Ærlig', 'Øystein', 'Solveig', 'Håkon', 'Ingrid', 'Sigurd',
  'Guðrún', 'Tor-Åge', 'Mette-Marit', 'Ragnhild', 'Jørgen', 'Ståle', 'Brynjulf', 'Liv', 'Eirik', 'Synnøve',
  'René', 'Zoë', 'Jürgen', 'Hélène', 'José', 'Björk', 'Søren', 'Noël', 'Chloé', 'Łukasz',
  'Ali', 'Fatima', 'Nguyễn', 'Siri', 'Astrid', 'Magnus', 'Nora', 'Emma', 'Jakob', 'Thea',
  'Kåre', 'Gøril', 'Åshild', 'Tormod', 'Marit', 'Anne Lise', "D'Arcy", 'Aslak', 'Elle Máret', 'Niillas',
];

export const FAMILY_NAMES: readonly string[] = [
  'Nordmann', 'Ødegård', 'Sæther', 'Østby', 'Aas', 'Bråthen', 'Lødrup', 'Ågren', 'Kvamme', 'Hægeland',
  'Johansen', 'Hansen', 'Berg', 'Haugen', 'Dahl', 'Strømme', 'Bjørnstad', 'Løvås', 'Græsli', 'Vågen',
  'Müller', 'Gómez', 'Lefèvre', 'Östlund', 'Ibáñez', 'Weiß', "O'Brien", 'Ngô', 'Kowalczyk', 'Çelik',
  'Sørensen', 'Fjære', 'Aarø', 'Tveit', 'Eide', 'Skår', 'Mørk', 'Nilsen', 'Lie', 'Sara',
  'de la Cruz', 'van der Berg', 'Hætta', 'Gaup', 'Bakke', 'Ruud', 'Moen', 'Halvorsen-Ødegaard', 'Ås', 'Øien',
];

/** Staff category of a job code (UiO's stillingskat ids). */
export const STILLINGSKAT = {
  admin: { id: '50078118', betegn: 'Administrativt personale' },
  technical: { id: '50078119', betegn: 'Teknisk personale' },
  academic: { id: '50078120', betegn: 'Vitenskapelig personale' },
} as const;

/** State job codes (last four digits of `stillingskode`) with their titles and category. */
export const JOBS: ReadonlyArray<{ code: string; title: string; kat: keyof typeof STILLINGSKAT }> = [
  { code: '1011', title: 'Førsteamanuensis', kat: 'academic' },
  { code: '1013', title: 'Professor', kat: 'academic' },
  { code: '1017', title: 'Stipendiat', kat: 'academic' },
  { code: '1352', title: 'Postdoktor', kat: 'academic' },
  { code: '1009', title: 'Universitetslektor', kat: 'academic' },
  { code: '1198', title: 'Førstelektor', kat: 'academic' },
  { code: '1434', title: 'Rådgiver', kat: 'admin' },
  { code: '1363', title: 'Seniorkonsulent', kat: 'admin' },
  { code: '1065', title: 'Konsulent', kat: 'admin' },
  { code: '1409', title: 'Seksjonssjef', kat: 'admin' },
  { code: '1364', title: 'Seniorrådgiver', kat: 'admin' },
  { code: '1087', title: 'Overingeniør', kat: 'technical' },
  { code: '1181', title: 'Senioringeniør', kat: 'technical' },
  { code: '1085', title: 'Avdelingsingeniør', kat: 'technical' },
  { code: '1515', title: 'Bibliotekar', kat: 'technical' },
];
