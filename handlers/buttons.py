"""Every kind of inline button, one codec each: its keyboard builds the data, its route matches it,
the tests press it — and a reader greps one name to find all three.

Callback data is ``v1|<code>|<arg>…`` (:mod:`handlers.callback_data`); a code never changes once
released, since buttons already sent keep theirs. The route of each is in ``BUTTONS``
(``handlers/__init__.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.callback_data import Callback, decode, encode, pattern


@dataclass(frozen=True)
class Button:
    """One kind of button: the short code its callback data carries."""

    code: str

    def data(self, *args: object) -> str:
        """The callback data of one button of this kind (ids and short words, never display text)."""
        return encode(self.code, *args)

    @property
    def pattern(self) -> str:
        """The regex its ``CallbackQueryHandler`` routes on."""
        return pattern(self.code)

    def parse(self, data: str | None) -> Callback | None:
        """The decoded data if it is a well-formed button of this kind, else None."""
        decoded = decode(data)
        return decoded if decoded is not None and decoded.kind == self.code else None


# Language
LANGUAGE = Button("lang")  # language: a locale code

# The operator's proposal: the intake and the draft
INTAKE_ANSWER = Button("in")  # the intake's offered answers: the choice
DRAFT_CLIENT = Button("cl")  # a client of the draft: client id
DRAFT_EDIT_FIELD = Button("ed")  # change one field of a client: client id, field
DRAFT_BUDGET_LINE = Button("bl")  # add a budget line: client id
DRAFT_REMOVE_LINE = Button("rl")  # remove a budget line: client id, line id
DRAFT_REMOVE_CLIENT = Button("rm")  # remove a client: client id
DRAFT_SUMMARY = Button("rv")  # back to the draft's summary
DRAFT_PAGE = Button("pg")  # a page of the client list: page
DRAFT_ADD_CLIENT = Button("add")  # add a client
DRAFT_TEMPLATE = Button("tpl")  # the client list workbook
DRAFT_ATTACHMENTS = Button("att")  # the draft's attachments
DRAFT_REMOVE_ATTACHMENT = Button("rma")  # remove an attachment: attachment id
DRAFT_UPDATE_LISTED = Button("cup")  # update the clients already listed from the file
DRAFT_CONTINUE = Button("cont")  # continue the draft: proposal id
DRAFT_IPWL = Button("pni")  # the IPWL a proposal is for: IPWL id
DRAFT_KEEP = Button("keep")  # change nothing
DRAFT_STOP = Button("stop")  # stop: proposal id, what to do
PROPOSAL_OPEN = Button("open")  # open a returned proposal to revise: proposal id
PROPOSAL_SUBMIT = Button("sub")  # submit: proposal id
PROPOSAL_WITHDRAW = Button("wd")  # withdraw or discard: proposal id
PROPOSAL_WITHDRAW_CONFIRMED = Button("wdy")  # withdraw, confirmed: proposal id

# The PIC group's card and the decisions
CARD_ACTION = Button("pic")  # claim, release, verify, validate on the group card: proposal id, action
CARD_DETAIL = Button("pdt")  # the proposal's detail, in private: proposal id
CARD_NIK = Button("nik")  # one client's NIK, in private: client id
CARD_DECISION = Button("pdc")  # return or reject: proposal id, decision
DECISION_REASON = Button("rsn")  # pick the reasons: proposal id, client / field / ok / x
SK_DRAFT = Button("sk")  # the head's SK draft: step (and proposal id)
NIK_ADJUDICATE = Button("nka")  # decide a double-assistance conflict ("not the same person"): client id
NIK_SAME_PERSON = Button("nks")  # decide it the other way: the same person (double assistance confirmed): client id

# Bank accounts and payments
ACCOUNT_ENTER = Button("acc")  # enter one client's account: client id
ACCOUNT_BANK = Button("bnk")  # the bank: bank code
ACCOUNT_BANK_PAGE = Button("bnp")  # the bank picker's page: "bpd" (regional banks) / "main"
ACCOUNT_CANCEL = Button("acn")  # stop entering this client's account (nothing saved)
ACCOUNT_SKIP_PASSBOOK = Button("pbs")  # save the account read back, without the passbook photo
ACCOUNT_RETYPE = Button("acr")  # the account read back is wrong: type it again (nothing saved)
ACCOUNTS_SHEET = Button("acx")  # the accounts workbook: proposal id
ACCOUNTS_REVIEW = Button("avr")  # check the accounts: proposal id
ACCOUNT_VERIFY = Button("av")  # verify one account: client id, revision
ACCOUNTS_VERIFY_ALL = Button("ava")  # verify the remaining accounts: proposal id, revisions
ACCOUNT_RETURN = Button("ar")  # return one account: client id
ACCOUNT_PASSBOOK = Button("apb")  # the passbook photo of one account: client id
PAYMENT_OPEN = Button("pay")  # record the payment: proposal id
PAYMENT_ORDERS_CONFIRMED = Button("pok")  # save the SPP and SPM or type again: proposal id, y / n
TRANSFER_SENT = Button("ps")  # one transfer sent: client id, revision
TRANSFERS_ALL_SENT = Button("psa")  # every pending transfer sent: proposal id
TRANSFER_FAILED = Button("pf")  # one transfer failed or returned: client id, status, revision
TRANSFERS_SHEET = Button("ptx")  # the transfers workbook: proposal id
PAYMENT_SP2D = Button("psd")  # record the SP2D of the proposal's SPM: proposal id

# The LPJ: the operator's conversation, then PIC and finance review
LPJ_ANSWER = Button("lji")  # the LPJ's offered answers: the choice
LPJ_OPEN = Button("ljo")  # open the LPJ: proposal id
LPJ_SECTION = Button("ljg")  # go to a section: section
LPJ_TEMPLATE = Button("ljt")  # the LPJ workbook
LPJ_SUBMIT = Button("ljs")  # submit the LPJ: proposal id
LPJ_VERIFY = Button("ljv")  # verify the LPJ: proposal id
LPJ_RETURN = Button("ljx")  # return the LPJ: proposal id
LPJ_CANCEL_RETURN = Button("ljc")  # do not return after all
LPJ_VALIDATE = Button("ljk")  # validate the LPJ: proposal id
LPJ_DETAIL = Button("ljd")  # the LPJ's detail: proposal id

# Changes after the SK (issue 16.6)
CHANGE_PROPOSAL = Button("cg.p")  # /perubahan alone: the proposal whose clients changed: proposal id
CHANGE_CLIENT = Button("cg.c")  # the client whose data or participation changed: client id
CHANGE_KIND = Button("cg.k")  # the kind of change: client id, kind
CHANGE_DETAIL = Button("cg.v")  # a change's details, in private: change id
CHANGE_DECISION = Button("cg.d")  # verify, return or reject a change: change id, step
CHANGE_SK = Button("cg.sk")  # the head's SK perubahan: r (register number) / y (issue) / x (cancel)
REFUND_SETTLE = Button("rf.s")  # finance: a refund came back (read back to confirm): refund id
REFUND_CONFIRM = Button("rf.y")  # finance: yes, the amount read back is in the centre's account: refund id
REFUND_CANCEL = Button("rf.n")  # finance: not yet (nothing recorded): refund id

# The admin's screens
IPWL_LIST = Button("ip.l")  # the IPWL registry: page (and query)
IPWL_ATTENTION = Button("ip.w")  # IPWL whose PKS needs attention
IPWL_CARD = Button("ip.s")  # one IPWL: IPWL id
IPWL_EDIT = Button("ip.e")  # edit a field: IPWL id, field
IPWL_TEAM = Button("ip.t")  # move to a team, the choices: IPWL id
IPWL_MOVE = Button("ip.m")  # move to a team: IPWL id, team id
IPWL_ADD = Button("ip.a")  # add an IPWL
IPWL_PROVINCE = Button("ip.ap")  # the new IPWL's province
IPWL_ADD_TEAM = Button("ip.at")  # the new IPWL's team: team id
TEAM_LIST = Button("tm.l")  # the PIC teams
TEAM_CARD = Button("tm.s")  # one team: team id
TEAM_ADD = Button("tm.a")  # add a team
TEAM_INVITE = Button("tm.i")  # invite a PIC to the team: team id
PEOPLE_LIST = Button("pp.l")  # the people: page (and query)
PERSON_CARD = Button("pp.s")  # one person: person id
GRANT_REVOKE_ASKED = Button("pp.rg")  # revoke a role, asked: grant id
GRANT_REVOKE = Button("pp.rgy")  # revoke a role, confirmed: grant id
PERSON_REVOKE_ASKED = Button("pp.rp")  # revoke every role, asked: person id
PERSON_REVOKE = Button("pp.rpy")  # revoke every role, confirmed: person id
PERSON_RESTORE = Button("pp.re")  # give access back: person id
INVITE_ROLE = Button("iv.r")  # invite, the role
INVITE_TEAM = Button("iv.t")  # invite a PIC, the team: team id
INVITE_IPWL = Button("iv.i")  # invite an operator, the IPWL: IPWL id
BROADCAST_AUDIENCE = Button("bc.a")  # a broadcast's audience
BROADCAST_PROVINCE = Button("bc.p")  # a broadcast to one province
BROADCAST_TEAM = Button("bc.t")  # a broadcast to one team
BROADCAST_SEND = Button("bc.y")  # send the broadcast: broadcast id
BROADCAST_CANCEL = Button("bc.n")  # cancel the broadcast: broadcast id
PERSONAL_EXPORT = Button("pd.x")  # export a client's personal data: client id
PERSONAL_ERASE_ASKED = Button("pd.e")  # erase, asked: client id
PERSONAL_ERASE = Button("pd.ey")
CONSENT_PAGE = Button("cs.p")  # a page of a proposal's consents: proposal id, page
CONSENT_CLIENT = Button("cs.c")  # one client's consent: client id
CONSENT_FORM = Button("cs.f")  # the signed form, sent privately: client id
CONSENT_GUARDIAN = Button("cs.g")  # correct the guardian typed on the consent: client id
CONSENT_WITHDRAW_ASKED = Button("cs.w")  # record a client's withdrawal of consent, asked: client id
CONSENT_WITHDRAW = Button("cs.wy")  # the withdrawal, confirmed: client id
HISTORY_PAGE = Button("au.p")  # a page of a proposal's history: proposal id, page
ADMIN_CLOSE = Button("ad.x")  # close an admin screen
CEILING_CONFIRM = Button(
    "bg.y"
)  # save the ceiling read back: y / n, year, component (all / 1–7), amount, before (- none)

# Exports and the guidance
EXPORT_KIND = Button("ex.k")  # an export's kind
EXPORT_MASK = Button("ex.c")  # with or without personal data
EXPORT_RANGE = Button("ex.r")  # the export's period
EXPORT_OTHER_DATES = Button("ex.o")  # type another period
GUIDE_MENU = Button("gd.m")  # the guidance's topics
GUIDE_PAGE = Button("gd.s")  # a page of a topic: section, page

# Complaints (issue 16.5): the form anyone fills, and the complaint officers' desk
COMPLAINT_ANSWER = Button("cp.a")  # the form's offered answers: the choice
COMPLAINT_SEND = Button("cp.y")  # send the complaint
COMPLAINT_CANCEL = Button("cp.n")  # cancel the form (its files are deleted)
COMPLAINT_NEW = Button("cp.new")  # an officer files a complaint themself
COMPLAINT_LIST = Button("co.l")  # the officers' list of complaints
COMPLAINT_OPEN = Button("co.o")  # one complaint: complaint id
COMPLAINT_IDENTITY = Button("co.i")  # show the sender (audited): complaint id
COMPLAINT_FILES = Button("co.f")  # the attachments: complaint id
COMPLAINT_ACTION = Button("co.a")  # record an action / SP4N reference / outcome: complaint id, kind
COMPLAINT_CLOSE = Button("co.y")  # close with the outcome read back: complaint id
COMPLAINT_ACTION_CANCEL = Button("co.n")  # stop typing an action: complaint id

# Post-payment checks (issue 16.4): the PIC's private card
PAYMENT_CHECK_ANSWER = Button("pk.a")  # the client's answer: check id, answer
PAYMENT_CHECK_CANCEL = Button("pk.n")  # stop typing the amount received: check id
