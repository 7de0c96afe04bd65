// Package cabinet serves the applicants' pages: registration, email
// confirmation, login, password reset and the cabinet itself.
package cabinet

import (
	"net/http"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/captcha"
	"github.com/emgek/emgek/internal/classifier"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/document"
	"github.com/emgek/emgek/internal/esign"
	"github.com/emgek/emgek/internal/message"
	"github.com/emgek/emgek/internal/permit"
	"github.com/emgek/emgek/internal/profile"
	"github.com/emgek/emgek/internal/quota"
	"github.com/emgek/emgek/internal/throttle"
	"github.com/emgek/emgek/internal/verify"
	"github.com/emgek/emgek/internal/web"
)

// Handler holds what the cabinet pages need.
type Handler struct {
	Kit       *web.Kit
	DB        *db.DB
	Accounts  *account.Service
	Documents *document.Service
	Captcha   *captcha.Service
	Guard     *throttle.LoginGuard
	Messages  *message.Service
	Profiles  *profile.Service
	Quotas    *quota.Service
	Permits   *permit.Service
	// Occupations is the ISCO-08 classifier.
	Occupations *classifier.Occupations
	Issuer      *verify.Issuer
	// Signatures checks Kazakhstan's EDS; NCALayerURL is where pages reach
	// NCALayer.
	Signatures  *esign.Service
	NCALayerURL string
}

// Routes registers the pages; the table reads as the service's contents.
func (h *Handler) Routes(rt *web.Router) {
	// Registration (SERVICES.md S1, steps 1–9).
	rt.Handle("GET /register", web.Public, h.showRegisterStart)
	rt.Handle("POST /register", web.Public, h.registerStart)
	rt.Handle("GET /register/{kind}", web.Public, h.showRegisterForm)
	rt.Handle("POST /register/{kind}", web.Public, h.register)
	rt.Handle("GET /register/sent", web.Public, h.showRegisterSent)
	rt.Handle("GET /register/confirm/{token}", web.Public, h.confirmEmail)
	rt.Handle("GET /register/citizen", web.Public, h.showCitizenForm)
	rt.Handle("POST /register/citizen", web.Public, h.registerCitizen)
	rt.Handle("GET /register/organisation", web.Public, h.showOrganisationForm)
	rt.Handle("POST /register/organisation", web.Public, h.registerOrganisation)
	rt.Handle("GET /register/resend", web.Public, h.showResend)
	rt.Handle("POST /register/resend", web.Public, h.resend)

	// Login and passwords (steps 10, 24).
	rt.Handle("GET /login", web.Public, h.showLogin)
	rt.Handle("POST /login", web.Public, h.login)
	rt.Handle("POST /logout", web.Cabinets, h.logout)
	rt.Handle("GET /login/eds", web.Public, h.showEDSLogin)
	rt.Handle("POST /login/eds", web.Public, h.edsLogin)
	rt.Handle("GET /password/forgot", web.Public, h.showForgot)
	rt.Handle("POST /password/forgot", web.Public, h.forgot)
	rt.Handle("GET /password/forgot/sent", web.Public, h.showForgotSent)
	rt.Handle("GET /password/reset/{token}", web.Public, h.showReset)
	rt.Handle("POST /password/reset/{token}", web.Public, h.reset)
	rt.Handle("GET /password/reset-done", web.Public, h.showResetDone)

	// The cabinet.
	rt.Handle("GET /cabinet", web.Cabinets, h.showHome)
	rt.Handle("GET /cabinet/documents", web.Cabinets, h.listDocuments)
	rt.Handle("GET /cabinet/documents/{id}", web.Cabinets, h.showDocument)
	rt.Handle("GET /cabinet/documents/{id}/versions", web.Cabinets, h.showVersions)
	rt.Handle("GET /cabinet/documents/{id}/replace", web.Cabinets, h.showReplace)
	rt.Handle("POST /cabinet/documents/{id}/replace", web.Cabinets, h.replaceDocument)
	rt.Handle("GET /cabinet/password", web.Cabinets, h.showChangePassword)
	rt.Handle("POST /cabinet/password", web.Cabinets, h.changePassword)

	// General data and its changes, reviewed by the ministry (S2).
	rt.Handle("GET /cabinet/profile", web.Cabinets, h.showProfile)
	rt.Handle("GET /cabinet/profile/edit", web.Applicants, h.showEditProfile)
	rt.Handle("POST /cabinet/profile/edit", web.Applicants, h.editProfile)
	rt.Handle("GET /cabinet/profile/update/{subject}", web.Applicants, h.showProfileFile)
	rt.Handle("POST /cabinet/profile/update/{subject}", web.Applicants, h.profileFile)
	rt.Handle("GET /cabinet/profile/changes/{id}", web.Cabinets, h.showChange)

	// Foreign-labour quota applications (S3), employers only.
	rt.Handle("GET /cabinet/quota", employers, h.listQuota)
	rt.Handle("GET /cabinet/quota/new", employers, h.showNewQuota)
	rt.Handle("POST /cabinet/quota/new", employers, h.createQuota)
	rt.Handle("GET /cabinet/quota/{id}", employers, h.showQuota)
	rt.Handle("POST /cabinet/quota/{id}/submit", employers, h.submitQuota)
	rt.Handle("POST /cabinet/quota/{id}/documents", employers, h.addQuotaDocument)
	rt.Handle("POST /cabinet/quota/{id}/withdraw", employers, h.withdrawQuota)
	rt.Handle("GET /cabinet/quota/{id}/extract.pdf", employers, h.quotaExtract)

	// Work permits (S4): an employer for a foreign worker, an
	// entrepreneur for itself.
	rt.Handle("GET /cabinet/permits", permitApplicants, h.listPermits)
	rt.Handle("GET /cabinet/permits/search", permitApplicants, h.showPermitSearch)
	rt.Handle("POST /cabinet/permits/search", permitApplicants, h.searchPermit)
	rt.Handle("POST /cabinet/permits/start", permitApplicants, h.startPermit)
	rt.Handle("GET /cabinet/permits/{id}", permitApplicants, h.showPermit)
	rt.Handle("GET /cabinet/permits/{id}/form", permitApplicants, h.showPermitForm)
	rt.Handle("POST /cabinet/permits/{id}/form", permitApplicants, h.savePermitForm)
	rt.Handle("POST /cabinet/permits/{id}/documents", permitApplicants, h.addPermitDocument)
	rt.Handle("POST /cabinet/permits/{id}/submit", permitApplicants, h.submitPermit)
	rt.Handle("POST /cabinet/permits/{id}/withdraw", permitApplicants, h.withdrawPermit)
	rt.Handle("GET /cabinet/permits/{id}/permit.pdf", permitApplicants, h.printPermit)
	rt.Handle("GET /cabinet/permits/{id}/extend", permitApplicants, h.showExtendPermit)
	rt.Handle("POST /cabinet/permits/{id}/extend", permitApplicants, h.extendPermit)

	// A Kazakhstan organisation: its people and its data signed by EDS.
	// Other cabinets are told there is no such page.
	rt.Handle("GET /cabinet/organisation", employers, h.showOrganisation)
	rt.Handle("POST /cabinet/organisation/members", employers, h.grantMember)
	rt.Handle("POST /cabinet/organisation/members/{id}/withdraw", employers, h.withdrawMember)
	rt.Handle("POST /cabinet/organisation/confirm", employers, h.confirmOrganisation)
	rt.Handle("POST /cabinet/organisations/{id}/act", web.Cabinets, h.actFor)

	// Messages from the ministry (S6).
	rt.Handle("GET /cabinet/messages", web.Cabinets, h.listMessages)
	rt.Handle("GET /cabinet/messages/{id}", web.Cabinets, h.showMessage)
}

// employers are the cabinets that apply for quotas.
var employers = []web.Role{web.Employer}

// permitApplicants apply for work permits: employers for their workers,
// foreign entrepreneurs for themselves.
var permitApplicants = []web.Role{web.Employer, web.FIE}

// actor is who acts in a request, for the audit log.
func actor(r *http.Request) audit.Event {
	return audit.Event{Actor: web.User(r.Context()).Actor(), IP: web.ClientIP(r)}
}
