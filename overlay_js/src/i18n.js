// @ts-check
/* exported setLanguage, t */
// The overlay's texts: the Dutch text is the key, English is the translation.
/** @type {Record<string, string>} */
const ENGLISH = {
  'Hulp': 'Help',
  'Hulp bij: {t}': 'Help with: {t}',
  'Hulp niet beschikbaar': 'Help unavailable',
  'De hulp is nu niet bereikbaar. Uw werk gaat gewoon door; probeer het later opnieuw.':
    'Help cannot be reached right now. Your work carries on; try again later.',
  'Opnieuw proberen': 'Try again',
  'Hulp bij deze taak': 'Help with this task',
  'Sluiten': 'Close',
  'Stap {n}': 'Step {n}',
  '{n} van {m} stappen gedaan': '{n} of {m} steps done',
  'Alle stappen zijn gedaan.': 'All steps are done.',
  'Verplicht': 'Mandatory',
  'Advies': 'Advice',
  'ongeveer {n} min.': 'about {n} min.',
  'gewijzigd sinds u deze stap afvinkte': 'changed since you ticked this step',
  'Gewijzigd sinds u deze taak opende:': 'Changed since you last opened this task:',
  'Doel van deze taak': 'Goal of this task',
  'Inklappen': 'Fold away',
  'Uitklappen': 'Unfold',
  'Naar links': 'To the left',
  'Naar rechts': 'To the right',
  'Breedte van het paneel': 'Width of the panel',
  'Stap {n} van {m}': 'Step {n} of {m}',
  'Klaar': 'Done',
  'Tip bij het veld': 'Tip for the field',
  'Bij het veld': 'At the field',
  'in orde': 'fine',
  'Dit veld is nog leeg.': 'This field is still empty.',
  'Dit is geen geldig BSN: het heeft 9 cijfers en moet de elfproef doorstaan.':
    'This is not a valid BSN: it has 9 digits and must pass the eleven-test.',
  'Dit heeft niet de verwachte vorm.': 'This does not have the expected form.',
  'Dit is geen datum; schrijf dd-mm-jjjj.': 'This is not a date; write dd-mm-yyyy.',
  'Verwacht is een datum vanaf {from}.': 'Expected is a date from {from}.',
  'Verwacht is een datum tot en met {to}.': 'Expected is a date up to and including {to}.',
  'Verwacht is een datum van {from} tot en met {to}.': 'Expected is a date from {from} up to and including {to}.',
  'Let op: 1 verplichte stap van "{t}" is nog niet afgevinkt:': 'Watch out: 1 mandatory step of "{t}" is not ticked yet:',
  'Let op: {n} verplichte stappen van "{t}" zijn nog niet afgevinkt:': 'Watch out: {n} mandatory steps of "{t}" are not ticked yet:',
  'en nog {n}': 'and {n} more',
  'Toon de stappen': 'Show the steps',
  'Alle vinkjes van deze taak weghalen?': 'Remove every tick of this task?',
  'Ja, opnieuw beginnen': 'Yes, start again',
  'Nee': 'No',
  'Vul eerst iets in.': 'Type something first.',
  'Kies eerst een reden.': 'Choose a reason first.',
  'Anders, namelijk:': 'Other, namely:',
  'Wat u bij ‘anders’ typt, wordt niet bewaard.': 'What you type under ‘other’ is not kept.',
  'Afwijking vastgelegd, zonder de reden.': 'Deviation recorded, without the reason.',
  'De reden wordt niet bewaard: alleen dat u afweek.': 'The reason is not kept: only that you deviated.',
  'Noem geen gegevens van burgers.': 'Do not mention any citizen’s details.',
  'Wat klopt er niet? (mag leeg blijven)': 'What is wrong? (may stay empty)',
  'Wat is onduidelijk? (mag leeg blijven)': 'What is unclear? (may stay empty)',
  'Waarom': 'Why',
  'Let op': 'Watch out',
  'Controle': 'Check',
  'Twijfel?': 'In doubt?',
  'Ga naar stap {n}': 'Go to step {n}',
  'Open taak: {t}': 'Open task: {t}',
  'Bron': 'Source',
  'Begrippen in deze stap': 'Terms in this step',
  'Gedaan': 'Done',
  'Wijs het veld aan': 'Point out the field',
  'Het veld voor deze stap staat niet op dit scherm.': 'The field for this step is not on this screen.',
  'Ik wijk af, omdat…': 'I deviate, because…',
  'Reden van afwijken': 'Reason for deviating',
  'Vastleggen': 'Record',
  'Afwijking vastgelegd.': 'Deviation recorded.',
  'Klopt niet': 'Wrong',
  'Onduidelijk': 'Unclear',
  'Bedankt, de redactie kijkt ernaar.': 'Thank you, the editors will look into it.',
  'Suggestie': 'Suggestion',
  'Uw suggestie': 'Your suggestion',
  'Versturen': 'Send',
  'Uw melding is geweigerd.': 'Your feedback was refused.',
  'Uw meldingen': 'Your feedback',
  'Wijs het veld aan voor: {s}. Klik erop, of ga er met Tab naartoe en druk op Enter.': 'Point at the field for: {s}. Click it, or Tab to it and press Enter.',
  'Stoppen (Esc)': 'Stop (Esc)',
  'Dit scherm': 'This screen',
  'Klaar (Esc)': 'Done (Esc)',
  'Wat u zoekt, wordt bewaard, met nummers, datums en namen eruit gehaald.': 'What you search for is kept, with numbers, dates and names taken out.',
  'Wat u zoekt, wordt niet bewaard.': 'What you search for is not kept.',
  'Noem geen gegevens van burgers; wat erop lijkt, wordt eruit gehaald.': 'Do not give citizens\' data; what looks like it is taken out.',
  'Balk naar beneden': 'Move the bar down',
  'Balk naar boven': 'Move the bar up',
  'Opgenomen: {s}': 'Recorded: {s}',
  'Opnemen voor {s}: doe de taak. Elke knop die u indrukt en elk veld dat u invult, wordt een stap; wat u typt niet.':
    'Recording for {s}: do the task. Every button you press and every field you fill in becomes a step; what you type does not.',
  'Ga naar het scherm waarop de taak hoort en kies dan ‘Dit scherm’.': 'Go to the screen the task belongs on, then choose ‘This screen’.',
  'Al uw meldingen en de antwoorden, op elke werkplek': 'All your feedback and the answers, on any workstation',
  'U meldde: {k} bij stap {n}': 'You reported: {k} at step {n}',
  'wordt verstuurd': 'being sent',
  'niet verstuurd': 'not sent',
  'in behandeling': 'in progress',
  'aangepast in versie {v}': 'changed in version {v}',
  'aangenomen': 'accepted',
  'afgewezen': 'declined',
  'Andere taken op dit scherm': 'Other tasks on this screen',
  'Misschien zoekt u': 'Perhaps you are looking for',
  'Voor dit scherm is geen vaste instructie. Zoek hieronder wat u nodig hebt.':
    'There is no set guidance for this screen. Search below for what you need.',
  'Zoeken in de hulp': 'Search the help',
  'Zoek': 'Search',
  'Niets gevonden voor "{q}".': 'Nothing found for "{q}".',
  '{n} resultaten': '{n} results',
  'Versie {n}, gepubliceerd {d}': 'Version {n}, published {d}',
  'Volledige tekst': 'Full text',
  'Opnieuw beginnen': 'Start again',
  'Laden…': 'Loading…',
};

let language = 'nl';

/** @param {string} lang */
function setLanguage(lang) {
  language = lang === 'en' ? 'en' : 'nl';
}

/** The text in the overlay's language, with {name} replaced by values.name.
 * @param {string} text
 * @param {Record<string, any>} [values] */
function t(text, values) {
  const s = (language === 'en' && ENGLISH[text]) || text;
  return s.replace(/\{(\w+)\}/g, (m, name) => (values && name in values ? values[name] : m));
}
