// Package backoffice serves the ministry's operators and admins: the queue
// of cabinets waiting for activation, each cabinet's data and documents,
// activation and rejection, and the management of back-office accounts.
package backoffice

import (
	"net/http"
	"strconv"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/casework"
	"github.com/emgek/emgek/internal/classifier"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/document"
	"github.com/emgek/emgek/internal/esign"
	"github.com/emgek/emgek/internal/message"
	"github.com/emgek/emgek/internal/permit"
	"github.com/emgek/emgek/internal/profile"
	"github.com/emgek/emgek/internal/quota"
	"github.com/emgek/emgek/internal/staff"
	"github.com/emgek/emgek/internal/throttle"
	"github.com/emgek/emgek/internal/web"
)

// Handler holds what the back-office pages need.
type Handler struct {
	Kit       *web.Kit
	DB        *db.DB
	Accounts  *account.Service
	Documents *document.Service
	Staff     *staff.Service
	Guard     *throttle.LoginGuard
	Messages  *message.Service
	Profiles  *profile.Service
	Quotas    *quota.Service
	Permits   *permit.Service
	// Occupations is the ISCO-08 classifier.
	Occupations *classifier.Occupations
	Signatures  *esign.Service

	counts casework.Counts // of the inbox, reused for a few seconds
	around aroundInbox     // what the inbox shows around its cases, likewise
	heads  inboxHeads      // the inbox above its rows, rendered once per language, filters and figures
}

// Routes registers the back-office pages.
func (h *Handler) Routes(rt *web.Router) {
	rt.Handle("GET /office/login", web.Public, h.showLogin)
	rt.Handle("POST /office/login", web.Public, h.login)
	rt.Handle("POST /office/logout", web.Staff, h.logout)
	rt.Handle("GET /office/invite/{token}", web.Public, h.showInvite)
	rt.Handle("POST /office/invite/{token}", web.Public, h.acceptInvite)

	// The one inbox across services, and taking a case.
	rt.Handle("GET /office/inbox", web.Staff, h.showInbox)
	rt.Handle("POST /office/cases/{id}/take", web.Staff, h.takeCase)

	// Cabinets waiting for activation (SERVICES.md S1 steps 8–9).
	rt.Handle("GET /office", web.Staff, h.listCabinets)
	rt.Handle("GET /office/cabinets/{id}", web.Staff, h.showCabinet)
	rt.Handle("POST /office/signatures/{id}/verify", web.Staff, h.reverifySignature)
	rt.Handle("GET /office/cabinets/{id}/documents/{doc}", web.Staff, h.showCabinetDocument)
	rt.Handle("POST /office/cabinets/{id}/activate", web.Staff, h.activateCabinet)
	rt.Handle("POST /office/cabinets/{id}/reject", web.Staff, h.rejectCabinet)
	rt.Handle("POST /office/cabinets/{id}/messages", web.Staff, h.sendMessage)

	// Changes of cabinets' data waiting for review (S2).
	rt.Handle("GET /office/changes", web.Staff, h.listChanges)
	rt.Handle("GET /office/changes/{id}", web.Staff, h.showChange)
	rt.Handle("POST /office/changes/{id}/approve", web.Staff, h.approveChange)
	rt.Handle("POST /office/changes/{id}/reject", web.Staff, h.rejectChange)

	// Foreign-labour quotas (S3): the queue, the commission's decisions, the ledger.
	rt.Handle("GET /office/quota", web.Staff, h.listQuota)
	rt.Handle("GET /office/quota/{id}", web.Staff, h.showQuota)
	rt.Handle("POST /office/quota/{id}/decide", web.Staff, h.decideQuota)
	rt.Handle("POST /office/quota/{id}/request-documents", web.Staff, h.requestQuotaDocuments)
	rt.Handle("GET /office/quota/ledger", web.Staff, h.showLedger)
	rt.Handle("POST /office/quota/ledger", web.Admins, h.setQuota)
	rt.Handle("POST /office/quota/ledger/import", web.Admins, h.importQuota)

	// Work permits: the queue, each application, the decisions.
	rt.Handle("GET /office/permits", web.Staff, h.listPermits)
	rt.Handle("GET /office/permits/{id}", web.Staff, h.showPermit)
	rt.Handle("POST /office/permits/{id}/request-documents", web.Staff, h.requestPermitDocuments)
	rt.Handle("POST /office/permits/{id}/approve", web.Staff, h.approvePermit)
	rt.Handle("POST /office/permits/{id}/reject", web.Staff, h.rejectPermit)
	rt.Handle("POST /office/permits/{id}/issue", web.Staff, h.issuePermit)
	rt.Handle("POST /office/permits/{id}/revoke", web.Staff, h.revokePermit)
	rt.Handle("POST /office/extensions/{id}/decide", web.Staff, h.decideExtension)

	// Back-office accounts (admins only).
	rt.Handle("GET /office/staff", web.Admins, h.listStaff)
	rt.Handle("GET /office/staff/new", web.Admins, h.showNewStaff)
	rt.Handle("POST /office/staff/new", web.Admins, h.createStaff)
	rt.Handle("GET /office/staff/{id}", web.Admins, h.showStaff)
	rt.Handle("POST /office/staff/{id}", web.Admins, h.updateStaff)
}

// by is the audit event skeleton for the logged-in member.
func by(r *http.Request) audit.Event {
	u := web.User(r.Context())
	who := "anonymous"
	if u != nil {
		who = "staff:" + strconv.FormatInt(u.ID, 10)
	}
	return audit.Event{Actor: who, IP: web.ClientIP(r)}
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.New(apperr.NotFound, "error.not_found")
	}
	return id, nil
}
