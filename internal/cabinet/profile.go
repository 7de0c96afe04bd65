package cabinet

import (
	"net/http"
	"strconv"
	"time"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/classifier"
	"github.com/emgek/emgek/internal/document"
	"github.com/emgek/emgek/internal/profile"
	"github.com/emgek/emgek/internal/web"
)

type profilePage struct {
	web.Page
	Cabinet     *account.Cabinet
	Citizenship string
	Pending     map[string]string // field → new value waiting for review
	Changes     []profile.Request
	Photo       *document.Document
	Passport    *document.Document
	Certificate *document.Document
	LegalForms  []web.Option
	Subject     string // for the file form: photo or passport_page
}

func (h *Handler) profilePage(r *http.Request, title string) (*profilePage, error) {
	ctx := r.Context()
	id := web.User(ctx).ID
	c, err := account.ByID(ctx, h.DB, id)
	if err != nil {
		return nil, err
	}
	p := &profilePage{Page: h.Kit.Page(r, title), Cabinet: c}
	if c.Person != nil {
		p.Citizenship = classifier.CountryName(ctx, h.DB, c.Person.Citizenship, p.Lang)
	}
	if p.Pending, err = h.Profiles.PendingValues(ctx, id); err != nil {
		return nil, err
	}
	if p.Changes, err = h.Profiles.List(ctx, profile.Filter{CabinetID: id}); err != nil {
		return nil, err
	}
	docs, err := h.Documents.ByCabinet(ctx, id)
	if err != nil {
		return nil, err
	}
	for i := range docs {
		switch docs[i].Kind {
		case document.Photo:
			p.Photo = &docs[i]
		case document.PassportPage:
			p.Passport = &docs[i]
		case document.RegistrationCertificate:
			p.Certificate = &docs[i]
		}
	}
	for _, lf := range account.LegalForms {
		p.LegalForms = append(p.LegalForms, web.Option{Value: lf, Label: p.L.T("legal_form." + lf)})
	}
	return p, nil
}

// showProfile is "General data": the approved values, the pending ones
// marked, and the history of changes with the ministry's answers.
func (h *Handler) showProfile(w http.ResponseWriter, r *http.Request) error {
	p, err := h.profilePage(r, "profile.title")
	if err != nil {
		return err
	}
	return h.Kit.Render(w, r, http.StatusOK, "cabinet/profile", p)
}

func (h *Handler) showEditProfile(w http.ResponseWriter, r *http.Request) error {
	if err := ownData(r); err != nil {
		return err
	}
	p, err := h.profilePage(r, "profile.edit")
	if err != nil {
		return err
	}
	form := web.NewForm(nil)
	form.Values = map[string][]string{}
	for k, v := range p.Cabinet.Values() {
		form.Values.Set(k, v)
		if k == "passport_issued" || k == "passport_expires" {
			if t, err := time.Parse(time.DateOnly, v); err == nil {
				form.Values.Set(k+"-day", strconv.Itoa(t.Day()))
				form.Values.Set(k+"-month", strconv.Itoa(int(t.Month())))
				form.Values.Set(k+"-year", strconv.Itoa(t.Year()))
			}
		}
	}
	p.Form = form
	return h.Kit.Render(w, r, http.StatusOK, "cabinet/profile_edit", p)
}

// editProfile sends the changed fields for review.
func (h *Handler) editProfile(w http.ResponseWriter, r *http.Request) error {
	if err := ownData(r); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	values := map[string]string{}
	for k := range r.PostForm {
		values[k] = form.Get(k)
	}
	for _, f := range []string{"passport_issued", "passport_expires"} {
		if _, ok := r.PostForm[f+"-day"]; ok {
			values[f] = web.DateValue(r.PostForm, f)
		}
	}
	a := actor(r)
	err := h.Profiles.RequestData(r.Context(), web.User(r.Context()).ID, values, a)
	if err != nil {
		p, perr := h.profilePage(r, "profile.edit")
		if perr != nil {
			return perr
		}
		p.Form = form
		if !form.SetErrors(err) {
			e, ok := apperr.As(err)
			if !ok || e.Kind != apperr.Conflict {
				return err
			}
			form.Errors.Add("form", e.Key)
		}
		return h.Kit.Render(w, r, http.StatusUnprocessableEntity, "cabinet/profile_edit", p)
	}
	h.Kit.Flash(r, "profile.sent")
	return web.Redirect(w, r, "/cabinet/profile")
}

// subjectOf is the reviewed file a cabinet updates: a person's photo and
// passport page, an employer's registration certificate.
func subjectOf(r *http.Request) (profile.Subject, error) {
	employer := web.User(r.Context()).Role == web.Employer
	switch s := profile.Subject(r.PathValue("subject")); s {
	case profile.Photo, profile.PassportPage:
		if !employer {
			return s, nil
		}
	case profile.RegistrationCertificate:
		if employer {
			return s, nil
		}
	}
	return "", apperr.New(apperr.NotFound, "error.not_found")
}

func (h *Handler) showProfileFile(w http.ResponseWriter, r *http.Request) error {
	if err := ownData(r); err != nil {
		return err
	}
	s, err := subjectOf(r)
	if err != nil {
		return err
	}
	p, err := h.profilePage(r, "profile.update."+string(s))
	if err != nil {
		return err
	}
	p.Subject = string(s)
	return h.Kit.Render(w, r, http.StatusOK, "cabinet/profile_file", p)
}

// profileFile sends a new photo or passport page for review.
func (h *Handler) profileFile(w http.ResponseWriter, r *http.Request) error {
	if err := ownData(r); err != nil {
		return err
	}
	s, err := subjectOf(r)
	if err != nil {
		return err
	}
	a := actor(r)
	sent := false
	_, _, fe, err := web.ParseMultipart(w, r, func(part web.FilePart) (web.Upload, error) {
		if part.Field != "file" || sent {
			return web.Upload{}, apperr.New(apperr.Invalid, "upload.bad_form")
		}
		err := h.Profiles.RequestDocument(r.Context(), web.User(r.Context()).ID, s, part.Filename, part.ContentType, part.Body, a)
		if e, ok := apperr.As(err); ok && e.Kind == apperr.Conflict {
			return web.Upload{}, apperr.New(apperr.Invalid, e.Key) // shown at the field
		}
		sent = err == nil
		return web.Upload{Name: part.Filename}, err
	}, nil)
	if err != nil {
		return err
	}
	if !sent && len(fe) == 0 {
		fe.Add("file", "upload.choose_file")
	}
	if len(fe) > 0 {
		p, err := h.profilePage(r, "profile.update."+string(s))
		if err != nil {
			return err
		}
		p.Subject = string(s)
		p.Form = web.NewForm(nil)
		p.Form.Errors = fe
		return h.Kit.Render(w, r, http.StatusUnprocessableEntity, "cabinet/profile_file", p)
	}
	h.Kit.Flash(r, "profile.sent")
	return web.Redirect(w, r, "/cabinet/profile")
}

type changePage struct {
	web.Page
	Request profile.Request
}

// showChange shows one of the cabinet's own change requests.
func (h *Handler) showChange(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	req, err := h.Profiles.OfCabinet(r.Context(), web.User(r.Context()).ID, id)
	if err != nil {
		return err
	}
	return h.Kit.Render(w, r, http.StatusOK, "cabinet/change", &changePage{Page: h.Kit.Page(r, "profile.change"), Request: req})
}
