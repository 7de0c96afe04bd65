package cabinet

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/classifier"
	"github.com/emgek/emgek/internal/i18n"
	"github.com/emgek/emgek/internal/permit"
	"github.com/emgek/emgek/internal/quota"
	"github.com/emgek/emgek/internal/web"
)

// permitSearchPage is the first step of a permit application: an
// employer's Search by passport (S4), an entrepreneur's Check
// availability (FIE B), and the answer.
type permitSearchPage struct {
	web.Page
	Employer  bool
	Countries []web.Option
	Regions   []web.Option
	Result    *permit.Eligibility
	Names     permitNames
	Refusals  []reasonText
	Notes     []reasonText
	Positions []string // the allocations on offer, described
}

// reasonText is a refusal as shown: what is wrong and what to do next.
type reasonText struct {
	Code, Text, Next string
}

// permitNames are the names of an application's codes in the page's
// language.
type permitNames struct {
	Country, Citizenship, Region, Occupation string
}

func (h *Handler) names(ctx context.Context, lang, country, citizenship, region, occupation string) permitNames {
	return permitNames{Country: classifier.CountryName(ctx, h.DB, country, lang), Citizenship: classifier.CountryName(ctx, h.DB, citizenship, lang),
		Region: classifier.RegionName(ctx, h.DB, region, lang), Occupation: h.Occupations.Label(occupation, lang)}
}

func (h *Handler) renderPermitSearch(w http.ResponseWriter, r *http.Request, status int, form *web.Form, e *permit.Eligibility) error {
	ctx := r.Context()
	u := web.User(ctx)
	p := &permitSearchPage{Page: h.Kit.Page(r, "permit.search.title"), Employer: u.Role == web.Employer, Result: e}
	if !p.Employer {
		p.TitleKey = "permit.check.title"
	}
	p.Form = form
	countries, err := classifier.Countries(ctx, h.DB, p.Lang)
	if err != nil {
		return err
	}
	for _, c := range countries {
		p.Countries = append(p.Countries, web.Option{Value: c.Code, Label: c.Name})
	}
	regions, err := classifier.Regions(ctx, h.DB, p.Lang)
	if err != nil {
		return err
	}
	for _, reg := range regions {
		p.Regions = append(p.Regions, web.Option{Value: reg.Code, Label: reg.Name})
	}
	if e != nil {
		p.Names = h.names(ctx, p.Lang, e.Holder.Country, e.Holder.Citizenship, "", "")
		p.Refusals = h.reasonTexts(ctx, p.L, e.Refusals)
		p.Notes = h.reasonTexts(ctx, p.L, e.Notes)
		for _, a := range e.Allocations {
			p.Positions = append(p.Positions, h.allocationLabel(ctx, p.L, a))
		}
	}
	return h.Kit.Render(w, r, status, "cabinet/permit_search", p)
}

// reasonTexts translates reasons, with the codes in their arguments
// (country, region, group) named in the language.
func (h *Handler) reasonTexts(ctx context.Context, l *i18n.Localizer, rs []permit.Reason) []reasonText {
	lang := l.Lang
	var out []reasonText
	for _, r := range rs {
		args := map[string]any{}
		for k, v := range r.Args {
			args[k] = v
		}
		if c, ok := args["Country"].(string); ok {
			args["Country"] = classifier.CountryName(ctx, h.DB, c, lang)
		}
		if reg, ok := args["Region"].(string); ok {
			args["Region"] = classifier.RegionName(ctx, h.DB, reg, lang)
		}
		if g, ok := args["Group"].(string); ok {
			args["Group"] = h.Occupations.Label(g, lang)
		}
		out = append(out, reasonText{Code: r.Code, Text: l.T("permit.refusal."+r.Code, args), Next: l.T("permit.refusal."+r.Code+".next", args)})
	}
	return out
}

// allocationLabel describes an approved quota row as a position to choose.
func (h *Handler) allocationLabel(ctx context.Context, l *i18n.Localizer, a quota.Allocation) string {
	n := h.names(ctx, l.Lang, a.Country, "", a.Region, a.Occupation)
	return l.T("permit.allocation", map[string]any{"Occupation": n.Occupation, "Region": n.Region, "Year": a.Year, "Left": a.Left(), "Quota": a.CaseNumber})
}

func (h *Handler) showPermitSearch(w http.ResponseWriter, r *http.Request) error {
	return h.renderPermitSearch(w, r, http.StatusOK, web.NewForm(url.Values{}), nil)
}

// searchPermit looks the person up and shows the answer on the same page;
// POST, so that the passport number stays out of addresses and logs.
func (h *Handler) searchPermit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	cab, err := account.ByID(ctx, h.DB, web.User(ctx).ID)
	if err != nil {
		return err
	}
	var e *permit.Eligibility
	if cab.Kind == account.Employer {
		e, err = h.Permits.Search(ctx, cab, form.Get("country"), form.Get("number"), actor(r))
	} else {
		e, err = h.Permits.CheckSelf(ctx, cab, h.work(form), h.unitGroup, actor(r))
	}
	if err != nil {
		if form.SetErrors(err) {
			return h.renderPermitSearch(w, r, http.StatusUnprocessableEntity, form, nil)
		}
		if e, ok := apperr.As(err); ok && (e.Kind == apperr.Unavailable || e.Kind == apperr.TooMany) {
			status := http.StatusServiceUnavailable
			if e.Kind == apperr.TooMany {
				status = http.StatusTooManyRequests
			}
			form.Errors.Add(firstField(cab), e.Key, e.Args)
			return h.renderPermitSearch(w, r, status, form, nil)
		}
		return err
	}
	return h.renderPermitSearch(w, r, http.StatusOK, form, e)
}

func firstField(c *account.Cabinet) string {
	if c.Kind == account.Employer {
		return "number"
	}
	return "region"
}

// work reads an entrepreneur's region and occupation ("7112 Bricklayers…"
// from the suggestions, or the plain code).
func (h *Handler) work(form *web.Form) permit.Work {
	occ := strings.TrimSpace(form.Get("occupation"))
	if code, _, ok := strings.Cut(occ, " "); ok {
		occ = code
	}
	return permit.Work{Region: form.Get("region"), Occupation: occ}
}

// unitGroup reports whether code is an ISCO-08 unit group.
func (h *Handler) unitGroup(code string) bool {
	return len(code) == 4 && h.Occupations.ByCode(code) != nil
}

// startPermit is "Continue filling in the form": a draft with the
// registry's data, after the checks run once more.
func (h *Handler) startPermit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	cab, err := account.ByID(ctx, h.DB, web.User(ctx).ID)
	if err != nil {
		return err
	}
	id, err := h.Permits.Start(ctx, cab, form.Get("country"), form.Get("number"), h.work(form), h.unitGroup, actor(r))
	if err != nil {
		if k := apperr.KindOf(err); form.SetErrors(err) || k == apperr.Conflict || k == apperr.Unavailable || k == apperr.TooMany {
			return h.searchPermit(w, r) // show the answer as it is now
		}
		return err
	}
	return web.Redirect(w, r, "/cabinet/permits/"+strconv.FormatInt(id, 10)+"/form")
}
