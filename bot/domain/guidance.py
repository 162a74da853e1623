"""The guidance (/panduan): the cooperation's SOP step by step, the ATENSI services, FAQ, glossary.

The centre's own study of the partnership (BRSKPN Galih Pakuan Bogor with its 78 IPWL) names the
missing SOP and technical guidance as a main obstacle: IPWL staff asked for "pedoman kegiatan bagi
semua pelaksana teknis", the shared understanding of ATENSI between centre and IPWL was uneven, and
work was late. So this is written for an IPWL operator on a phone: what to prepare, who acts next,
how long it usually takes, and where in the bot to do it.

Content is data: every title and page is an English msgid (translated in the catalogs like any
other text). Pages may use ``{centre}``, ``{regulation}``, ``{retention}``, ``{complaint_retention}`` and
``{pks_days}``; a page tied to a
workflow stage also shows how long that stage took recently (the median from the monthly report's
figures), so "how long" is a measured answer, not a promise.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_


@dataclass(frozen=True)
class Page:
    title: str  # msgid
    body: str  # msgid, HTML (<b>, <i>), placeholders {centre} {regulation} {retention} {complaint_retention} {pks_days}
    stage: str | None = None  # a bot.domain.report_figures.STAGES key: show its recent median duration


@dataclass(frozen=True)
class Section:
    key: str  # callback data id (short, ASCII)
    icon: str
    title: str  # msgid
    pages: tuple[Page, ...] = ()
    dynamic: bool = False  # rendered from data (the contact page), not from pages


SOP = Section(
    "sop",
    "🧭",
    N_("How the cooperation works (SOP)"),
    (
        Page(
            N_("The six steps at a glance"),
            N_(
                "<b>a.</b> The centre and your IPWL sign a cooperation agreement (PKS) that follows the SOP.\n"
                "<b>b.</b> You send a proposal: your clients by name by address, an assessment summary, an "
                "intervention plan and a budget (RAB). Your PIC team checks it.\n"
                "<b>c.</b> The head of {centre} issues a decree (SK) naming the clients. You then send each "
                "client's bank account.\n"
                "<b>d.</b> Finance makes the payment request (SPP) and order (SPM) and transfers the money "
                "straight to each client's account.\n"
                "<b>e.</b> Your IPWL delivers the services in the intervention plan.\n"
                "<b>f.</b> You report back (LPJ) with receipts and evidence; your PIC team and finance check it. "
                "Validated LPJs are the basis of the centre's monthly report.\n\n"
                "The bot tells you at every step what is needed and who has it now. Send /status to see where "
                "each of your proposals stands."
            ),
        ),
        Page(
            N_("a. The agreement (PKS)"),
            N_(
                "<b>What:</b> the PKS (perjanjian kerja sama) is the legal basis of your IPWL's work with the "
                "centre. It has a number and a validity period.\n"
                "<b>Who:</b> the centre and your IPWL's leadership sign it.\n"
                "<b>Why it matters:</b> while the PKS is valid you can send proposals. When it ends, the bot stops "
                "new proposals until it is renewed; proposals already sent go on.\n"
                "<b>What to do:</b> check the end date in /status. Start the renewal with your PIC team well "
                "before it ends: the centre's admins see a warning {pks_days} days ahead."
            ),
        ),
        Page(
            N_("b. Your proposal"),
            N_(
                "<b>Prepare first</b> (per client): full name and NIK as on the KTP, the address where the client "
                "lives now, a phone number if any, the approach (family, community or residential), the ATENSI "
                "components, a short assessment summary, the intervention plan (which services, how long) and "
                "the budget lines (item, quantity, unit cost).\n"
                "<b>Do it in the bot:</b> /ajukan asks one question at a time and saves every answer at once. "
                "Many clients? /templat gives a spreadsheet to fill in and send back.\n"
                "<b>Before sending:</b> the review shows totals and warnings (a NIK already in another IPWL's "
                "proposal, a missing budget). Fix what you can, then press Send."
            ),
            "review",
        ),
        Page(
            N_("b. The PIC team's check"),
            N_(
                "<b>Who:</b> your IPWL's PIC team (3–4 centre staff who assist 10–12 IPWL).\n"
                "<b>What they check:</b> that each client is eligible and not assisted twice, that the NIK and "
                "address are right, that the intervention plan fits the assessment and the budget fits the plan.\n"
                "<b>Outcome:</b> verified and validated (two different PIC members), or returned to you with "
                "reasons per client and field. A returned proposal is not a failure: fix the points, send it "
                "again, and the team sees exactly what changed."
            ),
            "review",
        ),
        Page(
            N_("c. The decree (SK) and bank accounts"),
            N_(
                "<b>Who:</b> the head of {centre} issues the SK for validated proposals; it fixes which clients "
                "receive assistance.\n"
                "<b>Then you:</b> send each client's bank account: bank, account number and the holder's name, "
                "with a photo of the passbook (buku tabungan). The account must be in the client's own name.\n"
                "<b>Tip:</b> open accounts early, while the proposal is being checked: waiting for accounts is "
                "what delays payment most."
            ),
            "decree",
        ),
        Page(
            N_("d. Payment"),
            N_(
                "<b>Who:</b> the centre's finance team checks the accounts, makes the SPP and SPM and transfers "
                "the money directly to each client's account (not to the IPWL).\n"
                "<b>You are told</b> when the transfer is made, with the date the LPJ is due.\n"
                "<b>If a transfer fails</b> (a closed or mistyped account), only that client comes back to you "
                "to correct the account; the others are paid."
            ),
            "payment",
        ),
        Page(
            N_("d. Budget ceiling, SP2D and the transfer list"),
            N_(
                "<b>Budget ceiling (pagu):</b> the centre's admin sets the year's ceiling (/pagu), for the whole "
                "year or per ATENSI component. The head cannot issue an SK that would take what earlier SKs "
                "committed plus this SK above it: the bot shows the ceiling, what is committed, the SK's amount "
                "and what remains — on the SK card already, before Issue. A new ceiling is saved only after the "
                "admin confirms the old and new figures (✅ Save).\n"
                "<b>SP2D:</b> after the SPM, finance records the SP2D (Surat Perintah Pencairan Dana) that the "
                "treasury office (KPPN) issues: its number, date and amount, which must be the SPM's — step by "
                "step or on one line (number, date, amount).\n"
                "<b>The transfer list</b> the bot writes ends with a TOTAL row (the number of rows and the total "
                "amount) that the bank or the treasury can check. A list sent back whose rows do not add up to "
                "it, or to the SPM, is refused with the difference, and nothing is recorded. When transfer "
                "results are still missing some working days after the SP2D, finance is reminded."
            ),
        ),
        Page(
            N_("e. Delivering the services"),
            N_(
                "Deliver the services of the intervention plan to each client, as assessed: the components and "
                "the approach you proposed.\n"
                "<b>Keep as you go:</b> receipts (kuitansi), handover records (BAST) signed by the client, "
                "attendance lists and photos of activities. They are the evidence of your LPJ.\n"
                "<b>Changes:</b> if a client moves, stops or needs a different service, tell your PIC team "
                "before you change the plan."
            ),
        ),
        Page(
            N_("f. Accountability report (LPJ)"),
            N_(
                "<b>What:</b> for each client, what was actually spent per budget line, with receipts and evidence "
                "(BAST, photos). A receipt above Rp5.000.000 needs a Rp10.000 meterai.\n"
                "<b>Sent the wrong file?</b> In the evidence step, tap 🗑 Remove a file and choose it.\n"
                "<b>When:</b> by the due date given with the payment. Late LPJs are counted in the centre's "
                "monthly report.\n"
                "<b>Who checks:</b> your PIC team verifies, finance validates. If something is returned, fix it "
                "and send it again. A validated LPJ closes the proposal."
            ),
            "lpj",
        ),
        Page(
            N_("Double assistance: a client held"),
            N_(
                "A person receives ATENSI once a budget year (the calendar year), through one IPWL. The bot "
                "checks each client's NIK against every other IPWL's proposals again at verification, "
                "validation, the SK and the payment.\n"
                "<b>⚠️ Check:</b> the same NIK is in another IPWL's proposal still under review. Both PIC teams "
                "see it; nothing is held.\n"
                "<b>🛑 Held:</b> the same NIK is already in an SK or was paid this year elsewhere. The client is "
                "left out of the SK annex and gets no transfer, and the operator is not asked for their bank "
                "account yet; the rest of the proposal goes on.\n"
                "<b>A client who left:</b> one taken off another IPWL's list by an SK perubahan (dropped out, "
                "died, moved) no longer counts there, unless they were already paid this year.\n"
                "<b>Who decides:</b> a PIC of the IPWL's team (🔎 Detail → ⚖️ Decide) or the head of centre "
                "(the button under the SK annex) checks whether it is the same person. <b>Not the same:</b> they "
                "type why; the client is back in the annex and the transfers, and the operator is asked for the "
                "client's bank account. <b>The same:</b> they press 🟰 The same person; the client stays held "
                "and receives nothing, and the operator takes them off the list (after the SK: /perubahan, "
                "reason “double assistance”). Either decision is recorded with name and time.\n"
                "Cards show only the other proposal's code and IPWL code, never the other IPWL's client."
            ),
        ),
    ),
)

PROPOSAL = Section(
    "prep",
    "📝",
    N_("Preparing a good proposal"),
    (
        Page(
            N_("Checklist per client"),
            N_(
                "☐ Name exactly as on the KTP; NIK of 16 digits (the bot reads the birth date and sex from it)\n"
                "☐ Where the client lives now (regency/city, street, RT/RW, village)\n"
                "☐ The approach: family or community first; residential only when those cannot work\n"
                "☐ The components the client really needs (see the ATENSI services)\n"
                "☐ An assessment summary: the situation, drug use history, family support\n"
                "☐ An intervention plan: which services, how often, for how long\n"
                "☐ Budget lines that follow the plan: item, quantity × unit cost, within the ceiling per "
                "component\n"
                "☐ The client's consent and a bank account in the client's own name (needed after the SK)"
            ),
        ),
        Page(
            N_("Why proposals are returned"),
            N_(
                "The most common reasons, so you can avoid them:\n"
                "• NIK or name differs from the KTP, or a NIK typo\n"
                "• the same client already in another IPWL's proposal this year (double assistance)\n"
                "• an intervention plan that does not follow from the assessment\n"
                "• budget lines that are not in the plan, or above the ceiling\n"
                "• an address too vague to visit the client\n"
                "The reasons come per client and field: open the proposal from /status, correct those points "
                "and send it again."
            ),
        ),
    ),
)

ATENSI = Section(
    "atensi",
    "🤝",
    N_("ATENSI services and approaches"),
    (
        Page(
            N_("The 3 approaches"),
            N_(
                "ATENSI ({regulation}) serves clients through three approaches:\n"
                "<b>Family (keluarga)</b> – the client stays at home; the family is supported to care for and "
                "accompany the client.\n"
                "<b>Community (komunitas)</b> – services in the client's community: groups, mentors, local "
                "institutions.\n"
                "<b>Residential (residensial)</b> – the client lives in an institution for a time. It is the last "
                "option, after family- and community-based services."
            ),
        ),
        Page(
            N_("The 7 components (1–4)"),
            N_(
                "<b>1. Decent living needs</b> – food, clothing, hygiene, temporary shelter.\n"
                "<b>2. Social care and/or childcare</b> – daily care for those who cannot look after themselves.\n"
                "<b>3. Family support</b> – counselling and strengthening the family so it can support recovery.\n"
                "<b>4. Therapy</b> – physical (sport therapy, health care, referral to a clinic), psychosocial "
                "(individual and group counselling, Therapeutic Community, Narcotics Anonymous, motivational "
                "interviewing, CBT) and mental-spiritual (worship, meditation, art therapy)."
            ),
        ),
        Page(
            N_("The 7 components (5–7)"),
            N_(
                "<b>5. Vocational training and/or entrepreneurship</b> – training that follows the client's "
                "interest, courses, small business coaching (e.g. farming, fishery), working with trainers and "
                "businesses.\n"
                "<b>6. Social aid and social assistance</b> – aid in kind or money, and being accompanied.\n"
                "<b>7. Accessibility support</b> – social advocacy, referral to health care, education and work.\n\n"
                "Choose only the components the assessment shows a need for; each budget line belongs to one "
                "component."
            ),
        ),
    ),
)

FAQ = Section(
    "faq",
    "❓",
    N_("Questions and answers"),
    (
        Page(
            N_("Working in the bot"),
            N_(
                "<b>The signal dropped while I was typing.</b> Nothing is lost: every answer is saved at once. "
                "Send /lanjut to continue where you stopped.\n\n"
                "<b>I have many clients.</b> Send /templat, fill in the spreadsheet on a computer and send the "
                "file back while your draft is open.\n\n"
                "<b>I typed something wrong.</b> In the review, tap the client and change the field. After "
                "sending, ask your PIC team to return it, or withdraw it from /status while it is still waiting.\n\n"
                "<b>The bot speaks the wrong language.</b> Send /bahasa."
            ),
        ),
        Page(
            N_("Proposals and payment"),
            N_(
                "<b>My proposal was returned.</b> The reasons are listed per client. Open it from /status, fix "
                "them and send it again; it becomes a new version.\n\n"
                "<b>The bot says our PKS has ended.</b> New proposals wait for the renewed PKS. Talk to your PIC "
                "team; proposals already sent continue.\n\n"
                "<b>A warning says the NIK is in another IPWL's proposal.</b> A person may not receive assistance "
                "twice in a year. Check with the client and tell your PIC team.\n\n"
                "<b>A transfer failed.</b> Only that client comes back to you: correct the account (in the "
                "client's own name) and send it again."
            ),
        ),
        Page(
            N_("Data and privacy"),
            N_(
                "<b>Who sees my clients' data?</b> Your IPWL's operators, your PIC team, the centre's finance, "
                "head and admins – each only what their work needs. Group chats show codes, counts and totals, "
                "never names, NIK, addresses, health or bank data.\n\n"
                "<b>A client asks what we hold about them, or to delete it.</b> Pass the request to the centre's "
                "admin. The data is exported for the client, and erased where the rules allow: data of an active "
                "proposal is kept until it is closed and {retention} years have passed.\n\n"
                "<b>Someone left our IPWL.</b> Ask the admin to revoke their access; it stops at once."
            ),
        ),
        Page(
            N_("Changes after the SK (SK perubahan)"),
            N_(
                "<b>When:</b> a client drops out, dies or moves to another IPWL, was found to be the same person "
                "as at another IPWL (double assistance), or their name or NIK on the SK is wrong — after the SK "
                "and until the LPJ is closed.\n"
                "<b>You:</b> send /perubahan and the proposal's code, tap the client and the kind of change, type "
                "the correct value (or the receiving IPWL's code) and the reason, then send the evidence as a "
                "photo or PDF (the client's statement, a death certificate, the KTP or KK).\n"
                "<b>Who checks:</b> your PIC team verifies it; the head of {centre} approves it in an SK "
                "perubahan (/skperubahan), whose annex lists each change. Either may return it to you with a "
                "reason: correct it and ask again.\n"
                "<b>After approval:</b> you are told the SK perubahan's number; /status and the team's card show "
                "the amended list. A client who left is paid no more and is not in your LPJ. Money already sent "
                "to them must come back to the centre's account: you are told the amount; hand the deposit slip "
                "to the centre's finance staff, who record it in the bot (after checking the deposit) — nothing "
                "is silently dropped."
            ),
        ),
    ),
)

GLOSSARY = Section(
    "terms",
    "📖",
    N_("Glossary"),
    (
        Page(
            N_("Terms (A–L)"),
            N_(
                "<b>ATENSI</b> – Asistensi Rehabilitasi Sosial, the Ministry of Social Affairs' social "
                "rehabilitation assistance program.\n"
                "<b>BAST</b> – Berita Acara Serah Terima: a handover record signed when aid is handed to a client.\n"
                "<b>IPWL</b> – Institusi Penerima Wajib Lapor: an institution designated to receive the "
                "compulsory reports of drug users; here, the centre's partner.\n"
                "<b>KPN</b> – Korban Penyalahgunaan NAPZA: a victim of drug abuse, the client of ATENSI.\n"
                "<b>LPJ</b> – Laporan Pertanggungjawaban: the accountability report of how the funds were used."
            ),
        ),
        Page(
            N_("Terms (M–Z)"),
            N_(
                "<b>Meterai</b> – the Rp10.000 duty stamp; needed on a receipt above Rp5.000.000.\n"
                "<b>MoU / PKS</b> – memorandum of understanding / cooperation agreement between centre and IPWL.\n"
                "<b>NAPZA</b> – narcotics, psychotropics and other addictive substances.\n"
                "<b>NIK</b> – the 16-digit population number on the KTP.\n"
                "<b>PIC</b> – person in charge: the centre's team that assists your IPWL.\n"
                "<b>RAB</b> – Rencana Anggaran Biaya: the budget of a proposal.\n"
                "<b>SK</b> – Surat Keputusan: the head of centre's decree fixing the beneficiaries.\n"
                "<b>SOP</b> – the standard operating procedure of the cooperation.\n"
                "<b>SPP / SPM</b> – Surat Permintaan Pembayaran / Surat Perintah Membayar: the payment request "
                "and the payment order made by finance."
            ),
        ),
    ),
)

# The privacy notice told to every client before they sign the consent form (issue 17.6). Its
# first line names its version, bot.domain.consent.NOTICE_VERSION, recorded with each consent: a
# changed notice is a new msgid with a new version (tests/test_consent_rules.py checks both agree,
# in both catalogs).
PRIVACY = Section(
    "privacy",
    "🔒",
    N_("Privacy notice and consent"),
    (
        Page(
            N_("Privacy notice"),
            N_(
                "<b>Version {notice_version}.</b> Read (or tell) this to the client before they sign the consent "
                "form.\n\n"
                "<b>Who:</b> {centre} (Ministry of Social Affairs) and your IPWL process the client's data for the "
                "ATENSI assistance ({regulation}).\n"
                "<b>What:</b> name, NIK, birth date, sex, address, phone, the assessment and intervention plan (health "
                "data: specific personal data under UU 27/2022), the budget, and the bank account for the transfer.\n"
                "<b>Why:</b> to check eligibility and double assistance, to decide, pay and "
                "account for the assistance.\n"
                "<b>Who sees it:</b> the IPWL's operators, its PIC team, the centre's finance, head and admins, and "
                "the auditors (reading only), each only what their work needs; never in group chats.\n"
                "<b>How long:</b> until the proposal is closed and {retention} years have passed; then it is erased "
                "automatically, keeping only figures without names.\n"
                "<b>Rights:</b> to see the data, to correct it, and to withdraw consent at any time (tell the IPWL or "
                "the centre's admin). A withdrawal ends the processing: before the SK the client is removed from "
                "the proposal and their data erased at once; after it, money already committed or paid must "
                "still be accounted for, and the data is erased as soon as that is done.\n"
                "<b>A client under 18:</b> a parent or guardian decides and signs."
            ),
        ),
        Page(
            N_("Recording consent"),
            N_(
                "<b>When:</b> you press Send on a proposal and a client has no consent yet: the bot asks for each such "
                "client in turn.\n"
                "<b>What you send:</b> a clear photo or a PDF of the consent form signed by the client, after you told "
                "them the privacy notice of this guide (its version is recorded with the consent).\n"
                "<b>A client under 18</b> (the bot reads it from the NIK): first type the parent's or guardian's name "
                "and relation, e.g. Siti Aminah, ibu; then send the form they signed.\n"
                "<b>Withdrawn?</b> If a client withdraws consent, record it for them with /persetujuan CODE (tap the "
                "client): the data is erased as the rules allow, and a new proposal for that client needs a new "
                "consent."
            ),
        ),
        Page(
            N_("For admins: roles that end, and the audit trail"),
            N_(
                "<b>A role until a day:</b> /undang head 30-06-2027 (or /undang JB01 30-06-2027, /undang pic TIM1 "
                "30-06-2027) gives the role until the end of that day. The admins are reminded some days before; "
                "the day after, the role stops by itself.\n"
                "<b>Withdrawn consent:</b> /persetujuan CODE and tap the client: the withdrawal is recorded and the "
                "data erased as far as the rules allow now; what must stay (an open proposal, the retention of a "
                "closed one) is erased by the daily retention job as soon as allowed.\n"
                "<b>Retention:</b> the data of proposals closed more than {retention} years ago is erased "
                "automatically, and so is the personal data of complaints closed more than "
                "{complaint_retention} years ago; the admins get the list of what will be erased first.\n"
                "<b>Audit trail:</b> every change is sealed in a hash chain; <code>atensi-bot audit verify</code> "
                "names the first event that was altered, removed or inserted."
            ),
        ),
    ),
)

# Issue 16.5: anyone can speak up, and only the complaint officers hear it.
COMPLAINTS = Section(
    "complaints",
    "📣",
    N_("Complaints and post-payment checks"),
    (
        Page(
            N_("Making a complaint"),
            N_(
                "<b>Who:</b> anyone who has started the bot — a client, a family member, an IPWL worker. No "
                "invitation is needed.\n"
                "<b>About what:</b> money kept back or levies taken from the assistance, assistance not received "
                "or less than decided, fraud or forged documents, personal data leaked, harassment or "
                "intimidation, a conflict of interest, services not delivered, or anything else.\n"
                "<b>How:</b> send /pengaduan in a private chat with the bot. It asks the category, whether you "
                "give your name, the proposal code if you know it, what happened, and proof (photos or PDFs). "
                "You read it all back before Send; Cancel is on every step.\n"
                "<b>Who reads it:</b> only the centre's complaint officers — never the IPWL concerned, nor its "
                "PIC team or group. Nothing about a complaint is ever posted in a group.\n"
                "<b>Anonymous:</b> nothing links the complaint to your Telegram account, not even for the "
                "officers. You get a ticket number and a secret, shown once: write them down. /pengaduan "
                "TICKET SECRET shows the status and the outcome.\n"
                "<b>With your name:</b> only the complaint officers can see it (each reading is recorded). "
                "/pengaduan TICKET shows the status, and the outcome is sent to you here.\n"
                "<b>How long:</b> {complaint_retention} years after the complaint is closed, who filed it, what "
                "it says, the outcome, the officers' notes and the files are erased automatically; only the "
                "ticket, category and dates stay, without names."
            ),
        ),
        Page(
            N_("For complaint officers"),
            N_(
                "New complaints come to you privately; /pengaduan lists the open ones, the nearest deadline "
                "first (🔴 a sensitive category, ⏰ past the deadline). /tugas counts them.\n"
                "<b>Deadline:</b> each category has a response deadline in working days (set by the centre). "
                "Recording the first action meets it. You are reminded the working day before; once it passes "
                "without an action, the head of {centre} is told (the ticket and category only).\n"
                "<b>On a complaint:</b> Record an action (a call, a visit, a letter), SP4N-LAPOR! (the tracking "
                "number when the case is also reported there, e.g. 1916449), Show sender (named complaints; the "
                "reading is recorded in the audit trail), Attachments.\n"
                "<b>No officer yet:</b> a complaint that comes in while nobody is appointed goes to the head and "
                "the admins (that it waits, nothing of what it says); the officer who joins later is told of "
                "every complaint waiting. A complaint officer should not also work in finance: the admins are "
                "warned when one person holds both.\n"
                "<b>Closing:</b> type the outcome as the complainant will read it; the bot shows it once more "
                "before it is sent. A named complainant receives it; an anonymous one reads it with the ticket "
                "and secret. A case the bot opened after a post-payment check has no complainant: its outcome is "
                "recorded on it and sent to the head of {centre} and the IPWL's PIC team."
            ),
        ),
        Page(
            N_("After the payment: did the money arrive? (PIC teams)"),
            N_(
                "When all of a proposal's transfers are sent, the bot draws some of its clients at random (a "
                "share set by the centre, at least a minimum). The draw's seed is recorded, so an auditor can "
                "draw it again and get the same clients.\n"
                "<b>What you do:</b> each PIC of the IPWL's team gets a card per drawn client in the private "
                "chat (never in the group), with the client's name, phone and the amount. Call and ask: "
                "“Did you receive the amount in full?”, then press Received in full, Received less "
                "(then type the amount), Not received, or Not reachable. The first answer counts: every PIC's "
                "copy of the card then says who recorded what, without buttons. /tugas shows how many are left.\n"
                "<b>Not reachable:</b> the call is counted and the card comes back to every PIC of the team the "
                "next working day; after {calls} calls that do not get through, the check is recorded as not "
                "reachable.\n"
                "<b>When it does not match:</b> a complaint “assistance not received, or less than decided” is "
                "opened for the complaint officers (the cause is not known yet: a transfer can fail too), the head of "
                "{centre} is told (codes and amounts only), and the IPWL is flagged. /laporan shows, per IPWL, "
                "how many paid clients were reached and how many did not get the amount in full.\n"
                "<b>How long:</b> a check keeps no personal data of its own (the client, the amount, the "
                "answer): it goes with the client's record, erased {retention} years after the proposal is "
                "closed; a complaint it opened is erased {complaint_retention} years after it is closed."
            ),
        ),
    ),
)

CONTACT = Section("contact", "☎️", N_("Who to contact"), dynamic=True)

SECTIONS: tuple[Section, ...] = (SOP, PROPOSAL, ATENSI, FAQ, GLOSSARY, PRIVACY, COMPLAINTS, CONTACT)
BY_KEY: dict[str, Section] = {section.key: section for section in SECTIONS}


def page(section_key: str, index: int) -> tuple[Section, Page, int] | None:
    """The section, its page ``index`` (clamped to the section) and the page count; None if unknown."""
    section = BY_KEY.get(section_key)
    if section is None or not section.pages:
        return None
    index = min(max(index, 0), len(section.pages) - 1)
    return section, section.pages[index], len(section.pages)
