#!/usr/bin/python3
# The AD lab's accounts and keytabs, written into a provisioned (not running) Samba AD DC
# through Samba's own SamDB API, in one process (samba-tool would start Python once per
# account). Run by tests/lab/ad/ad.sh when it builds its template.
# usage: accounts.py DCDIR KEYTABDIR PASSWORD NEWPASSWORD NGROUPS
# Users (alice, grpuser, carol, dave) get PASSWORD; each account with an SPN gets its own
# password, printed as "password SAM PASSWORD" lines on standard output (the lab's
# documentation of them: the keys are checked against samba-tool domain exportkeytab).
# Every account situation of the lab (tests/lab/README.md, "The AD lab") is made here.
import sys

import ldb
import samba.dckeytab  # noqa: F401  (adds Net.export_keytab)
from samba.auth import system_session
from samba.net import Net
from samba.param import LoadParm
from samba.samdb import SamDB

DC, KT, PW, NEWPW, NGROUPS = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
DOM = "ad.example.test"

lp = LoadParm()
lp.load(DC + "/etc/smb.conf")
db = SamDB(url=DC + "/private/sam.ldb", session_info=system_session(), lp=lp)
base = str(db.domain_dn())
net = Net(None, lp)

# userAccountControl bits (MS-ADTS 2.2.16)
UF_ACCOUNTDISABLE = 0x2
UF_TRUSTED_FOR_DELEGATION = 0x80000
UF_TRUSTED_TO_AUTH_FOR_DELEGATION = 0x1000000
# msDS-SupportedEncryptionTypes bits (MS-KILE 2.2.7)
ET_RC4 = 0x4
ET_AES128 = 0x8
ET_AES256 = 0x10


def dn_of(sam):
    res = db.search(base=base, scope=ldb.SCOPE_SUBTREE,
                    expression="(sAMAccountName=%s)" % ldb.binary_encode(sam), attrs=["dn"])
    if len(res) != 1:
        raise SystemExit("accounts.py: %s not found" % sam)
    return res[0].dn


def modify(sam, attr, values, op=ldb.FLAG_MOD_REPLACE):
    m = ldb.Message()
    m.dn = dn_of(sam)
    m[attr] = ldb.MessageElement(values, op, attr)
    db.modify(m)


def uac_add(sam, bits):
    res = db.search(base=dn_of(sam), scope=ldb.SCOPE_BASE, attrs=["userAccountControl"])
    uac = int(res[0]["userAccountControl"][0])
    modify(sam, "userAccountControl", [str(uac | bits)])


SERVICES = []


def service_password(sam):
    # every service/computer account has its own password: RC4 keys are unsalted MD4 of the
    # password (RFC 4757), so two accounts sharing one would share their RC4 key
    if sam not in SERVICES:
        SERVICES.append(sam)
    return "Svc%02d-Passw0rd.1" % SERVICES.index(sam)


def user(sam, spns=(), must_change=False):
    pw = service_password(sam) if spns else PW
    db.newuser(sam, pw, force_password_change_at_next_login_req=must_change)
    if spns:
        modify(sam, "servicePrincipalName", list(spns), ldb.FLAG_MOD_ADD)


def export(principal, path):
    net.export_keytab(keytab=path, principal=principal)


# the DC's own ldap/ SPNs, which samba_spnupdate (the dnsupdate service, not run here: it
# would talk DNS) adds from private/spn_update_list: a SASL/GSSAPI bind asks for them
modify("DC1$", "servicePrincipalName",
       ["ldap/dc1.%s" % DOM, "ldap/DC1", "ldap/dc1.%s/%s" % (DOM, DOM), "ldap/dc1.%s/AD" % DOM],
       ldb.FLAG_MOD_ADD)

# the user, and the app-pool account holding the web site's SPNs
user("alice")
user("svc-crm", ["HTTP/crm.%s" % DOM, "HTTP/crm"])
export("HTTP/crm.%s" % DOM, KT + "/crm.keytab")
# a site keytab names its account too (as ktpass -mapuser, msktutil and adcli write them)
export("svc-crm", KT + "/crm.keytab")

# the web server's computer account; its key serves HTTP/web01 (kernel-mode authentication
# decrypts with the machine key), then the SPN is moved to svc-crm (setspn -D / -S): the
# site still holds WEB01$'s key, the KDC encrypts with svc-crm's -> wrong key
db.newcomputer("WEB01", service_principal_name_list=["HTTP/web01.%s" % DOM])
db.setpassword("(sAMAccountName=WEB01$)", service_password("WEB01$"))
db.enable_account("(sAMAccountName=WEB01$)")
export("HTTP/web01.%s" % DOM, KT + "/web01.keytab")
export("WEB01$", KT + "/web01.keytab")
modify("WEB01$", "servicePrincipalName", ["HTTP/web01.%s" % DOM], ldb.FLAG_MOD_DELETE)
modify("svc-crm", "servicePrincipalName", ["HTTP/web01.%s" % DOM], ldb.FLAG_MOD_ADD)

# stale keytab: exported, then the account's password changes (msDS-KeyVersionNumber + 1)
user("svc-stale", ["HTTP/stale.%s" % DOM])
export("HTTP/stale.%s" % DOM, KT + "/stale.keytab")
export("svc-stale", KT + "/stale.keytab")
db.setpassword("(sAMAccountName=svc-stale)", NEWPW)

# back end of the double hop
user("svc-sql", ["MSSQLSvc/sql.%s:1433" % DOM, "MSSQLSvc/sql.%s" % DOM])
export("MSSQLSvc/sql.%s:1433" % DOM, KT + "/sql.keytab")

# trusted for delegation (unconstrained): tickets to it carry ok-as-delegate
user("svc-deleg", ["HTTP/deleg.%s" % DOM])
uac_add("svc-deleg", UF_TRUSTED_FOR_DELEGATION)
export("HTTP/deleg.%s" % DOM, KT + "/deleg.keytab")

# constrained delegation to the SQL back end, with protocol transition (S4U2Self+S4U2Proxy)
user("svc-kcd", ["HTTP/kcd.%s" % DOM])
uac_add("svc-kcd", UF_TRUSTED_TO_AUTH_FOR_DELEGATION)
modify("svc-kcd", "msDS-AllowedToDelegateTo", ["MSSQLSvc/sql.%s:1433" % DOM])
export("HTTP/kcd.%s" % DOM, KT + "/kcd.keytab")
# the accounts' own names too: a service asks for S4U2Self/S4U2Proxy tickets as itself
export("svc-kcd", KT + "/svc-kcd.keytab")
export("svc-crm", KT + "/svc-crm.keytab")

# encryption types: AES only, RC4 only
user("svc-aes", ["HTTP/aes.%s" % DOM])
modify("svc-aes", "msDS-SupportedEncryptionTypes", [str(ET_AES128 | ET_AES256)])
export("HTTP/aes.%s" % DOM, KT + "/aes.keytab")
user("svc-rc4", ["HTTP/rc4.%s" % DOM])
modify("svc-rc4", "msDS-SupportedEncryptionTypes", [str(ET_RC4)])
export("HTTP/rc4.%s" % DOM, KT + "/rc4.keytab")

# a user in many groups: a large PAC
user("grpuser")
for i in range(NGROUPS):
    g = "lab-group-%03d" % i
    db.newgroup(g)
    db.add_remove_group_members(g, ["grpuser"], add_members_operation=True)

# logon failures: carol is locked out by ad.sh after start (real wrong passwords against
# the KDC, under the domain's lockout threshold); dave must change his password (expired)
user("carol")
user("dave", must_change=True)
m = ldb.Message()
m.dn = ldb.Dn(db, base)
for attr, val in (("lockoutThreshold", "3"),
                  ("lockoutDuration", "-6000000000"),       # 10 min, in -100 ns
                  ("lockOutObservationWindow", "-6000000000")):
    m[attr] = ldb.MessageElement([val], ldb.FLAG_MOD_REPLACE, attr)
db.modify(m)

# the duplicate SPN (setspn -X): HTTP/intranet on svc-crm; the copy on WEB01$ is written by
# ad.sh straight into the domain partition (the SamDB modules refuse it, as setspn -S does)
modify("svc-crm", "servicePrincipalName", ["HTTP/intranet.%s" % DOM], ldb.FLAG_MOD_ADD)
print("web01-dn %s" % dn_of("WEB01$"))
for sam in SERVICES:
    print("password %s %s" % (sam, service_password(sam)))
