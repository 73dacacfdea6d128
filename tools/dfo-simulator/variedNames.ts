/**
 * Names as varied as a real Norwegian university's staff list, for the bulk-load benchmark (where
 * the username registry's work depends on how names cluster): Norwegian given and family names
 * drawn by frequency (a few common ones, a long tail, as in SSB's name statistics — Hansen, Johansen
 * and Olsen each about 1 %), double given names (Kari Anne) and double family names (Berg Hansen),
 * Sámi names, and about a fifth international staff from the countries Norwegian universities
 * recruit from. Deterministic from its own seeded generator.
 */
import { createRng, type Rng } from './prng.ts';

/** Norwegian given names, most frequent first (the weight of the i-th is 1 / (i + 40)). */
const NORWEGIAN_GIVEN = [
  'Anne', 'Jan', 'Per', 'Kari', 'Bjørn', 'Ole', 'Lars', 'Marit', 'Kjell', 'Ingrid', 'Hans', 'Liv', 'Knut', 'Eva', 'Arne',
  'Berit', 'Svein', 'Astrid', 'Thomas', 'Bjørg', 'Geir', 'Hilde', 'Tor', 'Anna', 'Morten', 'Solveig', 'Martin', 'Elin',
  'Terje', 'Randi', 'Odd', 'Ingeborg', 'Erik', 'Nina', 'Andreas', 'Marianne', 'John', 'Gerd', 'Rune', 'Ragnhild', 'Trond',
  'Kristin', 'Anders', 'Heidi', 'Tore', 'Karin', 'Jon', 'Ida', 'Harald', 'Silje', 'Olav', 'Inger', 'Stian', 'Camilla',
  'Øyvind', 'Tone', 'Rolf', 'Hanne', 'Gunnar', 'Turid', 'Kristian', 'Kristine', 'Kristoffer', 'Kristina', 'Espen', 'Ellen',
  'Magnus', 'Linda', 'Helge', 'Grete', 'Jørgen', 'Mona', 'Håkon', 'Wenche', 'Eirik', 'Torill', 'Sigurd', 'Åse', 'Vegard',
  'Synnøve', 'Sindre', 'Gro', 'Øystein', 'Siri', 'Asbjørn', 'Maria', 'Leif', 'Randveig', 'Einar', 'Unni', 'Halvard', 'Tove',
  'Ståle', 'Gunhild', 'Torstein', 'Sissel', 'Ivar', 'Hege', 'Audun', 'Åshild', 'Håvard', 'Guro', 'Joakim', 'Thea', 'Jakob',
  'Emma', 'Sander', 'Nora', 'Henrik', 'Ingvild', 'Sondre', 'Marte', 'Eskil', 'Tuva', 'Aksel', 'Sunniva', 'Brage', 'Oda',
  'Vetle', 'Frøydis', 'Torbjørn', 'Gudrun', 'Ketil', 'Jorunn', 'Dag', 'Aud', 'Stein', 'Kjersti', 'Trygve', 'Vigdis',
  'Arild', 'Bodil', 'Frode', 'Lene', 'Petter', 'Janne', 'Ørjan', 'Ragna', 'Gaute', 'Mari', 'Eivind', 'Ane', 'Torgeir',
  'Mette', 'Jens', 'Åsa', 'Nils', 'Elisabeth', 'Kåre', 'Gøril', 'Tor-Erik', 'Mette-Marit', 'Jan-Erik', 'Ann-Kristin',
];

/** Norwegian family names, most frequent first (weight 1 / (i + 40)). */
const NORWEGIAN_FAMILY = [
  'Hansen', 'Johansen', 'Olsen', 'Larsen', 'Andersen', 'Pedersen', 'Nilsen', 'Kristiansen', 'Jensen', 'Karlsen',
  'Johnsen', 'Pettersen', 'Eriksen', 'Berg', 'Haugen', 'Hagen', 'Johannessen', 'Andreassen', 'Jacobsen', 'Dahl',
  'Jørgensen', 'Halvorsen', 'Henriksen', 'Lund', 'Sørensen', 'Jakobsen', 'Moen', 'Gundersen', 'Iversen', 'Strand',
  'Solberg', 'Svendsen', 'Eide', 'Knutsen', 'Martinsen', 'Paulsen', 'Bakken', 'Kristoffersen', 'Mathisen', 'Lie',
  'Amundsen', 'Rasmussen', 'Lunde', 'Solheim', 'Berntsen', 'Moe', 'Kristensen', 'Bakke', 'Nygård', 'Fredriksen',
  'Holm', 'Lien', 'Hauge', 'Christensen', 'Andresen', 'Nielsen', 'Knudsen', 'Evensen', 'Sæther', 'Aas', 'Myhre',
  'Hanssen', 'Ahmed', 'Haugland', 'Thomassen', 'Sivertsen', 'Simonsen', 'Danielsen', 'Berge', 'Næss', 'Sandvik',
  'Tveit', 'Ødegård', 'Fjeld', 'Brekke', 'Aune', 'Skog', 'Rød', 'Vik', 'Ellingsen', 'Nordmann', 'Kvamme', 'Bjørnstad',
  'Løvås', 'Hægeland', 'Bråthen', 'Østby', 'Ågren', 'Strømme', 'Græsli', 'Vågen', 'Fjære', 'Aarø', 'Skår', 'Mørk',
  'Ruud', 'Øien', 'Ås', 'Halvorsen-Ødegaard', 'Torgersen', 'Syversen', 'Sunde', 'Rønning', 'Engen', 'Birkeland',
  'Vold', 'Tangen', 'Hovland', 'Aasen', 'Nordby', 'Dale', 'Hegland', 'Myklebust', 'Grønlie', 'Stokke', 'Wold',
  'Bøe', 'Løken', 'Hoff', 'Kolstad', 'Reitan', 'Sletten', 'Økland', 'Gjerde', 'Røed', 'Storm', 'Sandberg', 'Riise',
  'Wiik', 'Mo', 'Heggelund', 'Skjelbred', 'Tjønneland', 'Vestre', 'Aarseth', 'Bergersen', 'Fossum', 'Hatlestad',
];

/** Sámi given and family names. */
const SAMI_GIVEN = ['Aslak', 'Elle Máret', 'Niillas', 'Máret', 'Ánde', 'Biret', 'Nils Ánte', 'Ristin', 'Issát', 'Sunná'];
const SAMI_FAMILY = ['Sara', 'Hætta', 'Gaup', 'Eira', 'Bongo', 'Somby', 'Buljo', 'Turi', 'Utsi', 'Oskal'];

/** International staff: given and family names per origin, drawn together so they match. */
const INTERNATIONAL: ReadonlyArray<{ given: readonly string[]; family: readonly string[] }> = [
  { given: ['Wei', 'Li', 'Jing', 'Xiaoming', 'Yan', 'Hui', 'Jun', 'Ming', 'Lei', 'Fang'], family: ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou'] },
  { given: ['Priya', 'Rahul', 'Anil', 'Deepa', 'Suresh', 'Lakshmi', 'Vikram', 'Ananya', 'Arjun', 'Kavita'], family: ['Sharma', 'Patel', 'Singh', 'Kumar', 'Gupta', 'Reddy', 'Iyer', 'Nair', 'Rao', 'Das'] },
  { given: ['Jürgen', 'Anja', 'Stefan', 'Katrin', 'Matthias', 'Sabine', 'Tobias', 'Julia', 'Lukas', 'Claudia'], family: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Weiß', 'Schäfer'] },
  { given: ['Łukasz', 'Agnieszka', 'Piotr', 'Katarzyna', 'Tomasz', 'Magdalena', 'Paweł', 'Joanna', 'Michał', 'Małgorzata'], family: ['Kowalczyk', 'Nowak', 'Wiśniewski', 'Wójcik', 'Kamiński', 'Lewandowski', 'Zieliński', 'Szymański', 'Woźniak', 'Dąbrowski'] },
  { given: ['Maryam', 'Reza', 'Ali', 'Fatemeh', 'Hossein', 'Zahra', 'Mohammad', 'Sara', 'Amir', 'Leila'], family: ['Hosseini', 'Mohammadi', 'Ahmadi', 'Rezaei', 'Karimi', 'Moradi', 'Jafari', 'Rahimi', 'Ghorbani', 'Sadeghi'] },
  { given: ['José', 'María', 'Javier', 'Lucía', 'Carlos', 'Elena', 'Pablo', 'Sofía', 'Alejandro', 'Marta'], family: ['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Ibáñez'] },
  { given: ['Giulia', 'Marco', 'Francesca', 'Luca', 'Chiara', 'Matteo', 'Sara', 'Alessandro', 'Elena', 'Davide'], family: ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco'] },
  { given: ['Emma', 'James', 'Olivia', 'William', 'Sophie', 'Daniel', 'Charlotte', 'Thomas', 'Emily', "D'Arcy"], family: ['Smith', 'Jones', 'Williams', 'Brown', 'Taylor', 'Davies', 'Wilson', "O'Brien", 'Evans', 'Walker'] },
  { given: ['Mikael', 'Anna', 'Johan', 'Karin', 'Erik', 'Sara', 'Björn', 'Maja', 'Oskar', 'Elin'], family: ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Svensson', 'Östlund'] },
  { given: ['Søren', 'Mette', 'Rasmus', 'Louise', 'Mads', 'Camilla', 'Frederik', 'Signe', 'Jesper', 'Lærke'], family: ['Nielsen', 'Jensen', 'Hansen', 'Madsen', 'Christensen', 'Larsen', 'Rasmussen', 'Poulsen', 'Mortensen', 'Kjærgaard'] },
  { given: ['Minh', 'Thi Lan', 'Anh', 'Hoa', 'Tuan', 'Linh', 'Duc', 'Mai', 'Hung', 'Thu'], family: ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi', 'Đỗ', 'Ngô'] },
  { given: ['Ahmed', 'Fatima', 'Hassan', 'Amina', 'Omar', 'Khadija', 'Yusuf', 'Hodan', 'Abdi', 'Asha'], family: ['Mohamed', 'Ali', 'Hassan', 'Abdi', 'Warsame', 'Farah', 'Jama', 'Osman', 'Yusuf', 'Ahmed'] },
  { given: ['Chloé', 'Noël', 'Hélène', 'René', 'Camille', 'Mathieu', 'Élodie', 'Julien', 'Aurélie', 'François'], family: ['Lefèvre', 'Martin', 'Bernard', 'Dubois', 'Durand', 'Moreau', 'Laurent', 'Girard', 'Lambert', 'Fontaine'] },
  { given: ['Guðrún', 'Jón', 'Sigríður', 'Ólafur', 'Þóra', 'Björk', 'Einar', 'Helga', 'Gunnar', 'Ragnheiður'], family: ['Jónsdóttir', 'Sigurðsson', 'Guðmundsson', 'Ólafsdóttir', 'Einarsson', 'Þórsson', 'Magnússon', 'Stefánsdóttir', 'Kristjánsson', 'Björnsdóttir'] },
  { given: ['Zeynep', 'Mehmet', 'Elif', 'Mustafa', 'Ayşe', 'Emre', 'Fatma', 'Burak', 'Merve', 'Can'], family: ['Yılmaz', 'Kaya', 'Demir', 'Şahin', 'Çelik', 'Yıldız', 'Aydın', 'Öztürk', 'Arslan', 'Doğan'] },
  { given: ['Pieter', 'Sanne', 'Daan', 'Lotte', 'Joost', 'Femke', 'Bram', 'Anouk', 'Ruben', 'Eline'], family: ['de Jong', 'van der Berg', 'de Vries', 'van Dijk', 'Bakker', 'Visser', 'Smit', 'de Boer', 'Mulder', 'de la Cruz'] },
];

export interface PersonName {
  fornavn: string;
  etternavn: string;
}

/** Draws names; `seed` gives the same sequence every time. */
export function createNameSource(seed: number): { next(): PersonName } {
  const rng = createRng(seed ^ 0x5eed_4a3e);
  // The offset flattens the head so the commonest name is ~1.5 % of draws, as Hansen is in Norway.
  const given = weighted(NORWEGIAN_GIVEN, 40);
  const family = weighted(NORWEGIAN_FAMILY, 40);
  return {
    next(): PersonName {
      const roll = rng.next();
      if (roll < 0.2) {
        const origin = rng.pick(INTERNATIONAL);
        return { fornavn: rng.pick(origin.given), etternavn: rng.pick(origin.family) };
      }
      if (roll < 0.22) return { fornavn: rng.pick(SAMI_GIVEN), etternavn: rng.pick(SAMI_FAMILY) };
      // Double given names (Kari Anne) and double family names (Berg Hansen) are common in Norway.
      const fornavn = rng.chance(0.15) ? `${given(rng)} ${given(rng)}` : given(rng);
      const etternavn = rng.chance(0.08) ? `${family(rng)} ${family(rng)}` : family(rng);
      return { fornavn, etternavn };
    },
  };
}

/** A draw from `items` with weight 1 / (i + offset): a few frequent names and a long tail. */
function weighted(items: readonly string[], offset: number): (rng: Rng) => string {
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < items.length; i++) cumulative.push((total += 1 / (i + offset)));
  return (rng) => {
    const x = rng.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return items[lo]!;
  };
}
