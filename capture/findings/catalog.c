/* catalog.c - the finding table: id -> slug, severity, title, explanation, advice.
 *
 * Written from ../shared/docs/domain.md (C1-C5, E) and the CRM 401.1 article in
 * ../shared/seeds/.  The advice is for the administrator of a Windows/IIS site; rules
 * add instance-specific lines (the SPN to register, the account to check) in front.
 * This is the one table for both programs: negprobe reports from it too, and the rows
 * marked probe_only are the ones only a client can see (credentials, TLS, GSS-API).
 */
#include <string.h>

#include "negscope/finding.h"
#include "negscope/tok.h"

static const struct cap_finding_info catalog[CAP_F_COUNT] = {
	[CAP_F_KERBEROS_OK] = {
		CAP_F_KERBEROS_OK, "kerberos-ok", CAP_SEV_INFO,
		"Kerberos authentication succeeded",
		"The client sent a Kerberos service ticket inside Negotiate and the server "
		"accepted it with a success status.",
		{"Nothing to fix in this conversation; if users are still prompted, look at the "
		 "other conversations and findings in the capture.", NULL},
		false},
	[CAP_F_NTLM_FALLBACK] = {
		CAP_F_NTLM_FALLBACK, "ntlm-fallback", CAP_SEV_WARNING,
		"Negotiate fell back to NTLM",
		"The server offered Negotiate but the client answered with NTLM, which means it "
		"could not get a Kerberos ticket for this site (or did not try).",
		{"Look for an spn-unknown, spn-duplicate or kdc-unreachable finding for the same "
		 "client: the KDC's answer usually names the cause.",
		 "Check that the SPN for the exact host name in the URL exists: setspn -Q HTTP/<host> "
		 "for the FQDN and for the short name.",
		 "If the URL uses a DNS alias (CNAME), browsers ask for the SPN of the canonical "
		 "A-record name: register that name.",
		 "Make sure the browser treats the site as intranet (Local intranet or Trusted sites "
		 "zone) and that the client can reach a domain controller on port 88.",
		 NULL},
		false},
	[CAP_F_NEGOTIATE_NOT_OFFERED] = {
		CAP_F_NEGOTIATE_NOT_OFFERED, "negotiate-not-offered", CAP_SEV_ERROR,
		"The server does not offer Negotiate",
		"The server's 401 challenge lists NTLM and/or Basic but not Negotiate, so no client "
		"will even try Kerberos.",
		{"IIS 7 and later: IIS Manager > the site > Authentication > Windows Authentication > "
		 "Providers: add Negotiate and move it above NTLM.",
		 "IIS 6: set NTAuthenticationProviders to \"Negotiate,NTLM\" (adsutil or Metabase "
		 "Explorer) on the site and on every virtual directory that overrides it.",
		 "If only Basic is offered, enable Windows Authentication for the site.",
		 NULL},
		false},
	[CAP_F_KEEPALIVE_MISSING] = {
		CAP_F_KEEPALIVE_MISSING, "keepalive-missing", CAP_SEV_ERROR,
		"Connection closed in the middle of the handshake",
		"The server closed the TCP connection right after a 401 challenge, so the next leg of "
		"the handshake needs a new connection; NTLM and multi-leg or session-based Kerberos "
		"are bound to one connection and break this way.",
		{"Enable HTTP keep-alives for the site (IIS Manager > HTTP Response Headers > Set "
		 "Common Headers > Enable HTTP keep-alive; IIS 6: the AllowKeepAlive metabase "
		 "setting).",
		 "Make load balancers and reverse proxies in the path keep client connections "
		 "persistent and sticky to one server during authentication.",
		 NULL},
		false},
	[CAP_F_KRB_AP_ERR_MODIFIED] = {
		CAP_F_KRB_AP_ERR_MODIFIED, "krb-ap-err-modified", CAP_SEV_ERROR,
		"The server could not decrypt the Kerberos ticket",
		"The KDC encrypted the service ticket with the key of the account that holds the SPN, "
		"but the service that received it holds a different key (another account, or an old "
		"password or key version).",
		{"The account that holds the SPN must be the account the site runs as: the "
		 "application pool identity, or the computer account for NetworkService and "
		 "ApplicationPoolIdentity.",
		 "If the SPN is on a domain service account used as the application pool identity, "
		 "keep kernel-mode authentication but set useAppPoolCredentials=\"true\" on "
		 "windowsAuthentication, or turn kernel-mode authentication off: kernel mode "
		 "otherwise decrypts with the machine account.",
		 "Look for the same SPN on two accounts: setspn -X, then remove the wrong one with "
		 "setspn -D.",
		 "Register the FQDN SPN without a port (HTTP/host.domain, not HTTP/host.domain:port): "
		 "a port on the FQDN form is a known cause of this error.",
		 "On a non-Windows server, export the keytab again after the password change so its "
		 "key version (kvno) and encryption types match the ticket's (klist -ke shows them).",
		 NULL},
		false},
	[CAP_F_SPN_UNKNOWN] = {
		CAP_F_SPN_UNKNOWN, "spn-unknown", CAP_SEV_ERROR,
		"The KDC does not know the service principal name",
		"The client asked the KDC for a ticket to an SPN that no account holds "
		"(KDC_ERR_S_PRINCIPAL_UNKNOWN), so Kerberos is impossible and the client falls back "
		"to NTLM or fails.",
		{"Active Directory also answers this error when an SPN is registered twice: if the "
		 "SPN exists, run setspn -X.",
		 "If the URL uses a DNS alias (CNAME), browsers ask for the SPN of the canonical "
		 "A-record name: register that name.",
		 NULL},
		false},
	[CAP_F_SPN_DUPLICATE] = {
		CAP_F_SPN_DUPLICATE, "spn-duplicate", CAP_SEV_ERROR,
		"The SPN is registered on more than one account",
		"The KDC found several principals for the requested name (KDC_ERR_PRINCIPAL_NOT_UNIQUE) "
		"and cannot tell which key to use.",
		{"List duplicates with setspn -X (add -F for the whole forest) and setspn -Q <SPN>.",
		 "Remove the registration from the account that does not run the site: "
		 "setspn -D <SPN> <DOMAIN\\account>.",
		 NULL},
		false},
	[CAP_F_CLOCK_SKEW] = {
		CAP_F_CLOCK_SKEW, "clock-skew", CAP_SEV_ERROR,
		"Clocks are too far apart",
		"A Kerberos peer rejected a request because its clock and the sender's differ by "
		"more than the allowed skew (KRB_AP_ERR_SKEW, 5 minutes by default in Active "
		"Directory).",
		{"Synchronise the client, the web server and the domain controllers with the domain "
		 "time hierarchy: w32tm /query /status, then w32tm /resync.",
		 "Check the time zone and the virtual machine's host time synchronisation.",
		 NULL},
		false},
	[CAP_F_ETYPE_MISMATCH] = {
		CAP_F_ETYPE_MISMATCH, "etype-mismatch", CAP_SEV_ERROR,
		"No common Kerberos encryption type",
		"The KDC found no encryption type that both the requester and the account's keys "
		"support (KDC_ERR_ETYPE_NOSUPP or a related error).",
		{"Compare the encryption types the client offers with the account's "
		 "msDS-SupportedEncryptionTypes and the policy 'Network security: Configure "
		 "encryption types allowed for Kerberos'.",
		 "After enabling AES on an old account, reset its password so that AES keys exist; "
		 "for a keytab, check its enctypes with klist -ke.",
		 NULL},
		false},
	[CAP_F_DELEGATION_REFUSED] = {
		CAP_F_DELEGATION_REFUSED, "delegation-refused", CAP_SEV_ERROR,
		"The KDC refused to delegate the user's identity",
		"A forwarded-TGT or constrained-delegation (S4U2Proxy) request was refused with "
		"KDC_ERR_BADOPTION: the middle-tier account may not delegate to this service.",
		{"In Active Directory Users and Computers, open the account the web site runs as "
		 "(application pool identity or computer), Delegation tab: 'Trust this user for "
		 "delegation to specified services only' and add the back-end SPN (for example "
		 "MSSQLSvc/sql.domain:1433 or HTTP/backend.domain).",
		 "Choose 'Use any authentication protocol' when the front end uses protocol "
		 "transition (S4U2Self), and make sure the user is not marked 'Account is sensitive "
		 "and cannot be delegated'.",
		 "For unconstrained delegation, 'Trust this user for delegation to any service' on the "
		 "front-end account; the client must also be allowed to delegate (IE: Local intranet "
		 "zone).",
		 NULL},
		false},
	[CAP_F_AUTH_LOOP] = {
		CAP_F_AUTH_LOOP, "auth-loop", CAP_SEV_ERROR,
		"The server keeps rejecting the credentials",
		"Three or more requests carrying credentials were answered with 401 in a row: the "
		"browser prompts several times and finally shows 401.1 'Access is denied due to "
		"invalid credentials'.",
		{"The other findings of this conversation usually name the cause (SPN, decryption, "
		 "keep-alive, NTLM fallback).",
		 "If there are none: look for Kerberos event 4 in the client's System log, check the "
		 "SPN with setspn -Q, the application pool identity against kernel-mode "
		 "authentication, and that the user may access the site.",
		 NULL},
		false},
	[CAP_F_TOKEN_TOO_LARGE] = {
		CAP_F_TOKEN_TOO_LARGE, "token-too-large", CAP_SEV_ERROR,
		"The Authorization header is too large for the server",
		"The Negotiate header grew past what HTTP.sys accepts by default (16 KiB per header "
		"and per request header block), usually because the user's ticket carries many "
		"group memberships.",
		{"On the web server raise MaxFieldLength and MaxRequestBytes under "
		 "HKLM\\SYSTEM\\CurrentControlSet\\Services\\HTTP\\Parameters to about 4/3 of the "
		 "token size plus 200 bytes, then restart HTTP.sys (or the server).",
		 "Or reduce the user's group memberships.",
		 NULL},
		false},
	[CAP_F_KDC_ERROR] = {
		CAP_F_KDC_ERROR, "kdc-error", CAP_SEV_WARNING,
		"The KDC returned an error",
		"A domain controller answered a Kerberos request with an error; the code names the "
		"reason.",
		{"PREAUTH_REQUIRED and RESPONSE_TOO_BIG are normal steps (the client adds "
		 "pre-authentication, or retries over TCP); other codes need attention.",
		 NULL},
		false},
	[CAP_F_KDC_UNREACHABLE] = {
		CAP_F_KDC_UNREACHABLE, "kdc-unreachable", CAP_SEV_ERROR,
		"The client could not reach a KDC",
		"A Kerberos request to a domain controller was answered by an ICMP unreachable, a TCP "
		"reset, or nothing at all, so the client got no ticket and falls back to NTLM or "
		"fails.",
		{"Check that the domain controller listens on port 88 over UDP and TCP and that "
		 "firewalls between client and DC let both through.",
		 "Check domain controller discovery on the client: nltest /dsgetdc:<domain> and the "
		 "DNS SRV records _kerberos._tcp.<domain>.",
		 NULL},
		false},
	[CAP_F_CAPTURE_TRUNCATED] = {
		CAP_F_CAPTURE_TRUNCATED, "capture-truncated", CAP_SEV_WARNING,
		"The capture is incomplete",
		"The file ends in the middle of a packet, or the snap length cut headers the analysis "
		"needed; what came after the cut could not be analysed.",
		{"Capture again with the full snap length (-s 0) and stop the capture cleanly "
		 "(Ctrl-C) so the file is complete.",
		 NULL},
		false},
	[CAP_F_KRB_AP_ERR_NOKEY] = {
		CAP_F_KRB_AP_ERR_NOKEY, "krb-ap-err-nokey", CAP_SEV_ERROR,
		"The server has no key for the ticket",
		"The service found no key for the ticket's principal, key version or encryption type "
		"in its keytab (KRB_AP_ERR_NOKEY).",
		{"Add a key for the SPN and the ticket's encryption type to the keytab (ktpass "
		 "/crypto on Windows, kadmin ktadd -e on MIT) and check it with klist -ke.",
		 "Confirm that the account in Active Directory allows that encryption type "
		 "(msDS-SupportedEncryptionTypes).",
		 NULL},
		false},
	[CAP_F_KRB_AP_ERROR] = {
		CAP_F_KRB_AP_ERROR, "krb-ap-error", CAP_SEV_ERROR,
		"The server rejected the Kerberos ticket",
		"The web server answered the client's AP-REQ with a Kerberos error inside its 401.",
		{"Read the error name in the evidence: TKT_EXPIRED means the client should purge and "
		 "renew its tickets (klist purge), REPEAT often comes from load-balanced servers or "
		 "DNS round robin, NOT_US means the SPN points at another server's account.",
		 NULL},
		false},
	[CAP_F_KERBEROS_REJECTED] = {
		CAP_F_KERBEROS_REJECTED, "kerberos-rejected", CAP_SEV_ERROR,
		"The server refused the Kerberos ticket without saying why",
		"The client sent a Kerberos AP-REQ and the server answered 401 with no error token, "
		"which is how IIS reports a ticket it could not accept (the reason is only in the "
		"client's System log, Kerberos event 4).",
		{"On the client, look in the System event log for Kerberos event 4 "
		 "(KRB_AP_ERR_MODIFIED): it names the SPN the ticket was for.",
		 "Check which account holds the SPN (setspn -Q) against the application pool identity "
		 "and kernel-mode authentication (useAppPoolCredentials).",
		 NULL},
		false},
	[CAP_F_NTLM_OK] = {
		CAP_F_NTLM_OK, "ntlm-ok", CAP_SEV_INFO,
		"NTLM authentication succeeded",
		"The client completed an NTLM handshake and the server answered with a success "
		"status; Kerberos was not used.",
		{"If Kerberos is required (delegation to a back end), see the ntlm-fallback or "
		 "negotiate-not-offered findings for why it was not used.",
		 NULL},
		false},
	[CAP_F_NTLM_REJECTED] = {
		CAP_F_NTLM_REJECTED, "ntlm-rejected", CAP_SEV_WARNING,
		"The server rejected the NTLM credentials",
		"The client completed the NTLM handshake (AUTHENTICATE) and the server still answered "
		"401.",
		{"Check the user name, domain and password, that the account is not locked, and that "
		 "the user is allowed to access the site (NTFS and authorization rules).",
		 NULL},
		false},
	[CAP_F_MUTUAL_AUTH_MISSING] = {
		CAP_F_MUTUAL_AUTH_MISSING, "mutual-auth-missing", CAP_SEV_INFO,
		"No mutual-authentication token in the success response",
		"The client asked for mutual authentication but the server's success response carried "
		"no Kerberos AP-REP; browsers accept this, strict clients may not.",
		{"Nothing to change unless a client requires mutual authentication; then make the "
		 "server send the final Negotiate token with its 200 response.",
		 NULL},
		false},
	[CAP_F_NEGOTIATE_UNANSWERED] = {
		CAP_F_NEGOTIATE_UNANSWERED, "negotiate-unanswered", CAP_SEV_WARNING,
		"The client never answered the Negotiate challenge",
		"The server offered Negotiate but the client sent no credentials afterwards, which "
		"usually means it had no Kerberos ticket and no NTLM credentials to offer.",
		{"Check that the user is logged on to the domain (klist shows a TGT), that the client "
		 "can reach a domain controller, and that the browser considers the site intranet "
		 "(Local intranet zone, or the AuthServerAllowlist policy).",
		 NULL},
		false},
	[CAP_F_DELEGATION_OK] = {
		CAP_F_DELEGATION_OK, "delegation-ok", CAP_SEV_INFO,
		"Delegation ticket issued",
		"The KDC answered a forwarded-TGT or constrained-delegation (S4U2Proxy) request with "
		"a ticket, so the identity can travel to the next hop.",
		{"Nothing to fix for the delegation step itself.", NULL},
		false},
	[CAP_F_NO_DELEGATION] = {
		CAP_F_NO_DELEGATION, "no-delegation", CAP_SEV_INFO,
		"Kerberos worked, but the client did not delegate",
		"The client authenticated with Kerberos without forwarding its TGT, so the site cannot "
		"act as the user towards a back end (double hop) unless constrained delegation is set "
		"up for it.",
		{"If the site must reach SQL Server, Reporting Services or another web service as the "
		 "user: in Active Directory Users and Computers, on the account the site runs as, "
		 "Delegation tab, trust it for delegation (to specified services only, with the "
		 "back-end SPNs).",
		 "Clients that delegate 'by policy' (Windows, curl --delegation policy) forward the "
		 "TGT only when the service ticket carries OK-AS-DELEGATE, which the KDC sets for "
		 "accounts trusted for delegation.",
		 NULL},
		false},
	[CAP_F_HTTP_NOT_VISIBLE] = {
		CAP_F_HTTP_NOT_VISIBLE, "http-not-visible", CAP_SEV_INFO,
		"A web service ticket was issued, but its HTTP traffic is not visible",
		"The client obtained a ticket for an HTTP service but no HTTP exchange of that client "
		"appears in the capture: the site probably uses HTTPS, or the capture filter left "
		"the web traffic out.",
		{"Capture the HTTP side unencrypted (on the server behind TLS offload, or through a "
		 "decrypting proxy), or replay the handshake with negprobe, which shows every leg.",
		 NULL},
		false},
	/* negprobe only: what the client itself sees (credentials, TLS, GSS-API). */
	[CAP_F_NO_CREDENTIALS] = {
		CAP_F_NO_CREDENTIALS, "no-credentials", CAP_SEV_ERROR,
		"No Kerberos credentials",
		"The probe had no ticket-granting ticket, keytab or password to ask the KDC for a "
		"service ticket, so a browser running as this user would fall back to NTLM or prompt.",
		{"On Windows: log on with a domain account (klist shows a krbtgt ticket); on Linux: "
		 "kinit user@REALM, or give negprobe --keytab FILE --principal NAME, or --user with "
		 "NEGPROBE_PASSWORD.",
		 "If a ticket exists but expired, renew it (kinit -R) or log on again.", NULL},
		true},
	[CAP_F_MUTUAL_AUTH_FAILED] = {
		CAP_F_MUTUAL_AUTH_FAILED, "mutual-auth-failed", CAP_SEV_ERROR,
		"Mutual authentication failed",
		"The server's final Negotiate token in the success response did not verify, so the "
		"client cannot be sure it talked to the service that owns the SPN.",
		{"Check that the server's keytab or account holds the current key of the SPN "
		 "(klist -kte; setspn -Q) and that no proxy rewrites the WWW-Authenticate header.",
		 NULL},
		true},
	[CAP_F_CONNECT_FAILED] = {
		CAP_F_CONNECT_FAILED, "connect-failed", CAP_SEV_ERROR,
		"The site could not be reached",
		"The TCP connection to the site failed (refused, timed out, or the name did not "
		"resolve), so authentication never started.",
		{"Check the URL, DNS (nslookup <host>), that the site is started and bound to this "
		 "port, and firewalls between client and server.", NULL},
		true},
	[CAP_F_TLS_ERROR] = {
		CAP_F_TLS_ERROR, "tls-error", CAP_SEV_ERROR,
		"The TLS handshake failed",
		"The HTTPS connection failed before any HTTP request, so a browser shows a certificate "
		"or connection error instead of signing in.",
		{"Fix the certificate set-up named in the evidence; once TLS works, run negprobe again "
		 "for the Kerberos part.", NULL},
		true},
	[CAP_F_TLS_INSECURE] = {
		CAP_F_TLS_INSECURE, "tls-insecure", CAP_SEV_WARNING,
		"Certificate checks were turned off",
		"The probe ran with -k/--insecure, so it did not check the server certificate; a "
		"browser would, and may refuse the site.",
		{"Run again with --cacert pointing at the issuing CA to test what browsers see.", NULL},
		true},
	[CAP_F_DELEGATION_NOT_TRUSTED] = {
		CAP_F_DELEGATION_NOT_TRUSTED, "delegation-not-trusted", CAP_SEV_WARNING,
		"The service is not trusted for delegation",
		"The client asked to delegate only where the KDC allows it (as Windows clients and "
		"browsers do), and the service ticket lacks ok-as-delegate: the service account is not "
		"trusted for delegation, so the user's identity cannot make the second hop.",
		{"In Active Directory Users and Computers, on the account that holds the SPN: "
		 "Delegation > Trust this user for delegation to any service (Kerberos only), or "
		 "configure constrained delegation to the back-end SPNs.",
		 "On MIT: kadmin modprinc +ok_as_delegate HTTP/<host>.", NULL},
		true},
	[CAP_F_GSS_ERROR] = {
		CAP_F_GSS_ERROR, "gss-error", CAP_SEV_ERROR,
		"GSS-API failed",
		"The GSS-API library could not produce or accept a token; its own message is in the "
		"evidence.",
		{"Run again with KRB5_TRACE=/dev/stderr to see each Kerberos step.", NULL},
		true},
	[CAP_F_NTLM_UNAVAILABLE] = {
		CAP_F_NTLM_UNAVAILABLE, "ntlm-unavailable", CAP_SEV_ERROR,
		"NTLM is not available on this machine",
		"The probe needed the NTLM mechanism but gss-ntlmssp is not installed (or has no "
		"credentials), so it could not answer an NTLM challenge.",
		{"Install gss-ntlmssp (apt-get install gss-ntlmssp) and give credentials with --user "
		 "and NEGPROBE_PASSWORD or NTLM_USER_FILE.", NULL},
		true},
	[CAP_F_AUTH_NOT_REQUIRED] = {
		CAP_F_AUTH_NOT_REQUIRED, "auth-not-required", CAP_SEV_WARNING,
		"The site did not ask for authentication",
		"The first request succeeded without a 401 challenge, so no Negotiate handshake took "
		"place and the user is anonymous to the application.",
		{"If the site should use Windows sign-in, disable Anonymous Authentication and enable "
		 "Windows Authentication for it (IIS Manager > Authentication).", NULL},
		true},
	[CAP_F_UNEXPECTED_STATUS] = {
		CAP_F_UNEXPECTED_STATUS, "unexpected-status", CAP_SEV_WARNING,
		"The final response is not a success",
		"The handshake ended with a status other than 2xx that is not an authentication "
		"challenge (a redirect, 403, 500...).",
		{"A 403 after successful authentication is an authorization rule (NTFS, URL "
		 "authorization); for a 3xx, probe the URL in the location evidence (negprobe does "
		 "not follow redirects); a 5xx is the application.",
		 NULL},
		true},
	[CAP_F_CLIENT_LOGON_FAILED] = {
		CAP_F_CLIENT_LOGON_FAILED, "client-logon-failed", CAP_SEV_ERROR,
		"The user's own logon failed at the KDC",
		"The KDC refused the user's AS-REQ (the request for a ticket-granting ticket): "
		"without a TGT the user has no Kerberos at all, so the browser prompts this user "
		"again and again whatever the site's configuration.",
		{"The logon_failure evidence says why: a wrong or stale password (cached "
		 "credentials, a mapped drive or a phone still using the old one), a locked-out, "
		 "disabled or expired account, an expired password, or an unknown user name.",
		 "Active Directory: the domain controller's Security log has event 4771 (or 4768) "
		 "for this user with the failure code; unlock or reset the account in Active "
		 "Directory Users and Computers.",
		 "MIT KDC: kadmin getprinc <user> shows the failed attempts and the lockout "
		 "policy; kadmin modprinc -unlock <user> unlocks it.",
		 NULL},
		false},
	[CAP_F_KDC_REPLY_NOT_CAPTURED] = {
		CAP_F_KDC_REPLY_NOT_CAPTURED, "kdc-reply-not-captured", CAP_SEV_INFO,
		"The KDC's reply is only partly in the capture",
		"The KDC sent a reply to this request, but the capture lost its first segment, so "
		"it cannot be decoded; the KDC was reachable.",
		{"Capture closer to the client or with a larger buffer (tcpdump -B) if the reply's "
		 "content matters; this is a gap in the capture, not a fault of the KDC.", NULL},
		false},
	[CAP_F_FIRST_OFFER_NOT_CAPTURED] = {
		CAP_F_FIRST_OFFER_NOT_CAPTURED, "first-offer-not-captured", CAP_SEV_INFO,
		"The capture starts in the middle of a handshake",
		"The conversation's first answer already continues a handshake (a 401 carrying an "
		"NTLM CHALLENGE or an incomplete SPNEGO answer, or the answer to an NTLM "
		"AUTHENTICATE whose CHALLENGE is not in the capture): the server's first offer of "
		"schemes, and so whether it offers Negotiate, is not in the capture.",
		{"Start the capture before the browser opens the site (or clear its connections) "
		 "to see which schemes the server offers first.", NULL},
		false},
	[CAP_F_FAILED_AFTER_AUTH] = {
		CAP_F_FAILED_AFTER_AUTH, "failed-after-auth", CAP_SEV_WARNING,
		"Signed in, then the request failed",
		"The NTLM or Kerberos handshake completed and the server answered with an error "
		"other than 401: the user is authenticated, and the refusal comes from "
		"authorization or from the application.",
		{"Authentication is not the problem here: look at the site's authorization rules "
		 "and at the application, not at SPNs, passwords or Kerberos.",
		 NULL},
		false},
	[CAP_F_RESPONSE_INCOMPLETE] = {
		CAP_F_RESPONSE_INCOMPLETE, "response-incomplete", CAP_SEV_ERROR,
		"The server's answer did not arrive whole",
		"The connection succeeded and the server started to answer, but the answer ended "
		"(or stalled) before it was complete, so no client can act on it; a browser shows "
		"a network error, not a sign-in failure.",
		{"Look at what stands between client and server (reverse proxy, load balancer, "
		 "WAF) and at the site's logs for an error or a crash while it answered.",
		 "A slow answer: check the application pool and its time limits; run negprobe "
		 "with a larger --timeout to tell slow from stuck.", NULL},
		true},
	[CAP_F_RESPONSE_TOO_LARGE] = {
		CAP_F_RESPONSE_TOO_LARGE, "response-too-large", CAP_SEV_ERROR,
		"The server's response headers are too large",
		"The response head grew past the client's limit (libcurl and browsers refuse a "
		"head of a few hundred KB), so the answer was dropped before any challenge in it "
		"could be read.",
		{"Find what adds the headers (a cookie or a header repeated by a module, a proxy "
		 "loop adding Via/X-Forwarded-For) in the site's or the proxy's configuration.",
		 NULL},
		true},
	[CAP_F_KEYTAB_KVNO_STALE] = {
		CAP_F_KEYTAB_KVNO_STALE, "keytab-kvno-stale", CAP_SEV_ERROR,
		"The keytab is older than the account's password",
		"The keys given hold the ticket's service name and encryption type, but at another "
		"key version (kvno) than the KDC used: the account's password changed after the "
		"keytab was exported.",
		{"Export the keytab again (ktpass on Windows: it sets a new password and kvno; "
		 "kadmin ktadd on MIT) and install it on the server.",
		 "Compare klist -ke on the keytab with the ticket's kvno (kvno HTTP/host on a "
		 "client).",
		 NULL},
		false},
	[CAP_F_KEYTAB_WRONG_KEY] = {
		CAP_F_KEYTAB_WRONG_KEY, "keytab-wrong-key", CAP_SEV_ERROR,
		"The keys are not the key the ticket was made with",
		"A key of the ticket's key version and encryption type fails the ticket's "
		"integrity check: it belongs to another account, or to an old password.",
		{"The SPN is registered on another account than the site's identity: setspn -Q the "
		 "SPN and compare the account with the application pool identity.",
		 "With kernel-mode authentication IIS decrypts with the machine account: set "
		 "useAppPoolCredentials=\"true\" when the SPN is on the pool's domain account.",
		 "Export the keytab again from the account that holds the SPN.",
		 NULL},
		false},
	[CAP_F_KEYTAB_ETYPE_MISSING] = {
		CAP_F_KEYTAB_ETYPE_MISSING, "keytab-etype-missing", CAP_SEV_ERROR,
		"The keys have no key of the ticket's encryption type",
		"The keys hold the ticket's service name, but not in the encryption type the KDC "
		"used (an AES ticket and RC4-only keys, or the other way round).",
		{"Set the encryption types the account supports (msDS-SupportedEncryptionTypes: "
		 "AES is 0x18) so that the KDC and the keytab agree.",
		 "Export the keytab with that type: ktpass -crypto AES256-SHA1 (or ALL), or kadmin "
		 "ktadd -e aes256-cts-hmac-sha1-96:normal.",
		 NULL},
		false},
	[CAP_F_KEYTAB_PRINCIPAL_MISSING] = {
		CAP_F_KEYTAB_PRINCIPAL_MISSING, "keytab-principal-missing", CAP_SEV_ERROR,
		"The keys have no key for the ticket's service name",
		"No key given is for the service principal the ticket was issued to: the keytab "
		"holds other principals.",
		{"List the keytab (klist -ke) and export one for this SPN from the account that "
		 "holds it (ktpass -princ, or kadmin ktadd).",
		 "Check that the SPN the client asked for is the one the server expects "
		 "(setspn -Q).",
		 NULL},
		false},
	[CAP_F_TICKET_DECRYPTED] = {
		CAP_F_TICKET_DECRYPTED, "ticket-decrypted", CAP_SEV_INFO,
		"The keys decrypt the ticket",
		"The keys given decrypt the ticket: the client, its flags, its times, its PAC and "
		"(for an AP-REQ) the authenticator's GSS flags are read from it.",
		{"Nothing to fix in the keys; the detail says whether the client delegated and "
		 "why not (the ticket's ok-as-delegate flag, the authenticator's delegation flag).",
		 NULL},
		false},
	[CAP_F_TICKET_EXPIRED] = {
		CAP_F_TICKET_EXPIRED, "ticket-expired", CAP_SEV_WARNING,
		"The client sent an expired ticket",
		"The decrypted ticket's end time had passed when the client sent it; the server "
		"refuses it (KRB_AP_ERR_TKT_EXPIRED).",
		{"On the client, klist purge (or sign out and in) to get fresh tickets.",
		 "Check the client's clock and the ticket lifetime policy.",
		 NULL},
		false},
	/* negprobe only: Extended Protection for Authentication (IIS <extendedProtection>
	 * tokenChecking; RFC 5929 tls-server-end-point bindings, RFC 5056). */
	[CAP_F_CHANNEL_BINDING_REQUIRED] = {
		CAP_F_CHANNEL_BINDING_REQUIRED, "channel-binding-required", CAP_SEV_ERROR,
		"Refused without channel binding: the site appears to require it",
		"The probe sent no TLS channel binding (--no-channel-binding) and the server "
		"refused the finished handshake with another 401. That is how a site whose "
		"Extended Protection is set to Require answers a client that sends none: current "
		"browsers on Windows send the binding; older clients, some HTTP libraries and "
		"clients behind a TLS-inspecting proxy cannot.",
		{"Run negprobe again without --no-channel-binding: if it then signs in, the site "
		 "requires channel binding and only clients that send it can sign in.",
		 "IIS Manager > the site > Authentication > Windows Authentication > Advanced "
		 "Settings: Extended Protection Accept lets clients without a binding in, Require "
		 "refuses them; a proxy or load balancer that ends TLS needs Accept with SPN "
		 "checking instead.", NULL},
		true},
	/* Issue 15: negprobe --check-spn --ldap, read from Active Directory over LDAP. */
	[CAP_F_SPN_HOLDER] = {
		CAP_F_SPN_HOLDER, "spn-holder", CAP_SEV_INFO,
		"The account that holds the SPN",
		"The directory names the account whose key the KDC encrypts tickets for the SPN "
		"with, and its delegation, encryption-type and key-version settings.",
		{"The site must run as this account (application pool identity), or hold its "
		 "keys (keytab); ADUC: the account's Delegation and Account tabs show the same "
		 "settings.",
		 NULL},
		true},
	[CAP_F_SPN_ON_WRONG_ACCOUNT] = {
		CAP_F_SPN_ON_WRONG_ACCOUNT, "spn-on-wrong-account", CAP_SEV_ERROR,
		"The SPN is on another account than the site's",
		"Tickets for the SPN are encrypted with the key of the account that holds it, but "
		"the site decrypts with the keys of another account, so every ticket fails "
		"(KRB_AP_ERR_MODIFIED).",
		{"Either move the SPN to the site's account or run the site as the SPN's account; "
		 "one account per SPN (setspn -X finds duplicates).",
		 NULL},
		true},
	[CAP_F_DELEGATION_NOT_CONFIGURED] = {
		CAP_F_DELEGATION_NOT_CONFIGURED, "delegation-not-configured", CAP_SEV_ERROR,
		"The site's account may not delegate to the back end",
		"The account holding the site's SPN is neither trusted for delegation nor allowed "
		"to delegate to the back-end SPN (msDS-AllowedToDelegateTo), so the double hop to "
		"it fails (S4U2Proxy is refused, no ok-as-delegate ticket).",
		{"Prefer constrained delegation to the named back end over unconstrained "
		 "delegation; on a Windows front end, the Kerberos Configuration Manager and "
		 "DelegConfig show the same settings.",
		 NULL},
		true},
	[CAP_F_KEYTAB_KVNO_MISMATCH] = {
		CAP_F_KEYTAB_KVNO_MISMATCH, "keytab-kvno-mismatch", CAP_SEV_ERROR,
		"The site's keytab is older than the account's key",
		"The account's key version (msDS-KeyVersionNumber) is not the one in the site's "
		"keytab: the password changed after the keytab was exported, so tickets are "
		"encrypted with a key the site does not have (KRB_AP_ERR_BADKEYVER).",
		{"Export the keytab again after every password change of the account, and do not "
		 "let the account's password be changed by a policy without re-exporting it.",
		 NULL},
		true},
	[CAP_F_LDAP_FAILED] = {
		CAP_F_LDAP_FAILED, "ldap-failed", CAP_SEV_WARNING,
		"The directory could not be read",
		"negprobe could not locate, reach, bind to or search the domain's LDAP directory, "
		"so who holds the SPN, duplicates and delegation were not checked.",
		{"A SASL/GSSAPI bind needs a Kerberos ticket (kinit) and the SPN ldap/<DC name>: "
		 "give --ldap ldap://<DC's DNS name> rather than an address.",
		 "Check that the domain controller's port 389 is reachable from here.",
		 NULL},
		true},
	[CAP_F_HTTP2_AUTH] = {
		CAP_F_HTTP2_AUTH, "http2-auth", CAP_SEV_WARNING,
		"Windows authentication sent over HTTP/2",
		"The client sent Negotiate or NTLM credentials on an HTTP/2 stream. These schemes "
		"authenticate a connection, not a request (RFC 4559), and HTTP/2 multiplexes "
		"requests over one connection: HTTP.sys (IIS) refuses them with "
		"HTTP_1_1_REQUIRED, and NTLM's three legs cannot be kept together on streams.",
		{"Serve the authenticated location over HTTP/1.1: on IIS, HTTP.sys answers "
		 "HTTP_1_1_REQUIRED and browsers retry on HTTP/1.1; on other servers or proxies, "
		 "disable HTTP/2 for the site (Apache: Protocols http/1.1) or for that path.",
		 "If this server accepted it, a Kerberos single leg can work; NTLM and any proxy "
		 "or load balancer in between will not.",
		 NULL},
		false},
	[CAP_F_HTTP2_DOWNGRADE] = {
		CAP_F_HTTP2_DOWNGRADE, "http2-downgrade", CAP_SEV_INFO,
		"The server made the client retry on HTTP/1.1",
		"The server refused an HTTP/2 request with HTTP_1_1_REQUIRED (RFC 9113 section 7) "
		"and the client sent it again over HTTP/1.1 on a new connection. This is how "
		"HTTP.sys (IIS) keeps Windows authentication working for browsers that offer "
		"HTTP/2 first: it costs a connection, not the sign-in.",
		{"Nothing to fix for the sign-in; read the HTTP/1.1 connection for its outcome.",
		 "To skip the extra connection, serve the authenticated site over HTTP/1.1 only "
		 "(IIS: disable HTTP/2 for the binding; Apache: Protocols http/1.1).",
		 NULL},
		false},
	[CAP_F_CHANNEL_BINDING_MISSING] = {
		CAP_F_CHANNEL_BINDING_MISSING, "channel-binding-missing", CAP_SEV_INFO,
		"NTLM over HTTPS without channel binding",
		"The client's NTLM AUTHENTICATE over TLS carries no channel binding "
		"(MsvAvChannelBindings absent or zero), so the sign-in is not tied to the TLS "
		"connection. A server that requires Extended Protection for Authentication "
		"refuses it; one that does not accepts it.",
		{"If the sign-in is refused: set IIS Windows Authentication's extendedProtection "
		 "tokenChecking to Allow (or None) for clients that cannot bind, or update the "
		 "client (NTLMv2 with channel binding: current Windows, browsers, curl with "
		 "gss-ntlmssp).",
		 "If it is accepted: the site does not enforce Extended Protection; consider "
		 "Require once every client binds.",
		 NULL},
		false},
	[CAP_F_CHANNEL_BINDING_MISMATCH] = {
		CAP_F_CHANNEL_BINDING_MISMATCH, "channel-binding-mismatch", CAP_SEV_WARNING,
		"NTLM channel binding made for another certificate",
		"The client's NTLM AUTHENTICATE carries a channel binding, but not the one of the "
		"certificate this TLS connection presents: the client's TLS ended at another "
		"certificate than the server's, typically a TLS-terminating proxy or load "
		"balancer in front of the site (or an inspecting proxy on the client's side). A "
		"server with Extended Protection set to Allow or Require refuses the sign-in.",
		{"Behind a TLS-terminating proxy or load balancer: in IIS, Windows Authentication, "
		 "extendedProtection, set tokenChecking to Allow with flags='Proxy' and list the "
		 "names clients use under spn, or give the proxy the site's certificate "
		 "(TLS pass-through); the proxy cannot forward a binding it did not make.",
		 "Compare the certificate the browser shows with the site's own: a different "
		 "issuer means something in between re-signs the traffic.",
		 NULL},
		false},
	[CAP_F_NEGOTIATE_NOT_ALLOWED] = {
		CAP_F_NEGOTIATE_NOT_ALLOWED, "negotiate-not-allowed", CAP_SEV_ERROR,
		"The browser would not try Negotiate for this host",
		"The host is outside the browser's list of servers it may sign in to with "
		"Windows Integrated authentication (Chrome and Edge: AuthServerAllowlist; "
		"Firefox: network.negotiate-auth.trusted-uris), so the browser sends no token and "
		"the user gets a 401 or a password prompt.",
		{"Add the host (or a pattern such as *.example.com) to the browser's allowlist "
		 "policy, then restart the browser.",
		 "Check with chrome://policy (Chrome, Edge: edge://policy) or about:config "
		 "(Firefox) that the policy reached the browser.",
		 NULL},
		true},
	/* negprobe only: the binding went out and the site still refused (Extended
	 * Protection behind a TLS-terminating proxy; RFC 5929 tls-server-end-point). */
	[CAP_F_CHANNEL_BINDING_REFUSED] = {
		/* info: the refusal is already an error (refused_by); from the client a
		 * binding over a proxy's certificate and refused credentials look the same,
		 * so this names a possible cause, not the diagnosis */
		CAP_F_CHANNEL_BINDING_REFUSED, "channel-binding-refused", CAP_SEV_INFO,
		"Refused although a channel binding was sent",
		"The probe sent the TLS channel binding of the certificate it was shown, as "
		"current browsers do, and the server refused the finished handshake with another "
		"401. With good credentials, that is how a site with Extended Protection answers "
		"a binding made for another certificate than its own: the client's TLS ends at a "
		"proxy, load balancer or TLS-inspecting device in front of it.",
		{"Run negprobe again with --no-channel-binding: if it then signs in, the site "
		 "accepts clients without a binding but not this one, so the binding is the "
		 "cause; if it is refused again, either the site requires a binding no client of "
		 "this proxy can make, or the credentials are refused for another reason.",
		 "Behind a TLS-terminating proxy or load balancer: in IIS, Windows Authentication, "
		 "extendedProtection, set tokenChecking to Allow with flags='Proxy' and list the "
		 "names clients use under spn, or give the proxy the site's certificate "
		 "(TLS pass-through).",
		 "Compare the certificate named here with the one bound to the site on the "
		 "server (IIS Manager, Site Bindings): another certificate means the TLS ends "
		 "before the server. negcap on a capture of the proxy's leg to the server, with "
		 "its key log, reports channel-binding-mismatch for NTLM.",
		 NULL},
		true},
};

const struct cap_finding_info *cap_finding_info(enum cap_finding_id id)
{
	if ((unsigned)id >= CAP_F_COUNT)
		return NULL;
	return &catalog[id];
}

const char *cap_finding_slug(enum cap_finding_id id)
{
	const struct cap_finding_info *i = cap_finding_info(id);
	return i != NULL ? i->slug : "unknown";
}

int cap_finding_from_slug(const char *slug, enum cap_finding_id *id_out)
{
	for (unsigned i = 0; i < CAP_F_COUNT; i++) {
		if (strcmp(catalog[i].slug, slug) == 0) {
			*id_out = (enum cap_finding_id)i;
			return 0;
		}
	}
	return -1;
}

static const struct cap_tok severity_names[] = {
	{ CAP_SEV_INFO, "info" },
	{ CAP_SEV_WARNING, "warning" },
	{ CAP_SEV_ERROR, "error" },
	{ 0, NULL },
};

const char *cap_severity_name(enum cap_severity s)
{
	return cap_tok_name(severity_names, (int)s, "?");
}

enum cap_finding_id cap_finding_for_krb_error(int code, bool from_kdc, bool delegation)
{
	switch (code) {
	case 7: return from_kdc ? CAP_F_SPN_UNKNOWN : CAP_F_COUNT;
	case 8: return CAP_F_SPN_DUPLICATE;
	case 9:  /* KDC_ERR_NULL_KEY */
	case 14: /* KDC_ERR_ETYPE_NOSUPP */
	case 15: /* KDC_ERR_SUMTYPE_NOSUPP */
		return CAP_F_ETYPE_MISMATCH;
	case 13: return delegation ? CAP_F_DELEGATION_REFUSED : CAP_F_COUNT;
	case 31: /* KRB_AP_ERR_BAD_INTEGRITY (MIT) */
	case 41: /* KRB_AP_ERR_MODIFIED (Windows) */
	case 44: /* KRB_AP_ERR_BADKEYVER */
		return CAP_F_KRB_AP_ERR_MODIFIED;
	case 45: return CAP_F_KRB_AP_ERR_NOKEY;
	case 37: return CAP_F_CLOCK_SKEW;
	}
	return CAP_F_COUNT;
}
