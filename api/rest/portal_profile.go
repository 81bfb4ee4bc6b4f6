package rest

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/sso"
)

// portalProfile returns the user's own profile.
//
//	@Summary		My profile
//	@Description	The signed-in user's own name and sign-in e-mail (not the account's details). Open to every user.
//	@Tags			portal
//	@Produce		json
//	@Success		200	{object}	UserAnswer
//	@Failure		401	{object}	ErrorBody
//	@Router			/api/v1/portal/profile [get]
func (h *portalAPI) portalProfile(c echo.Context) error {
	return c.JSON(http.StatusOK, toUser(currentAccount(c).User))
}

// ProfilePatch changes the user's own name or sign-in e-mail.
type ProfilePatch struct {
	Name  *string `json:"name,omitempty" example:"Jane Doe"`
	Email *string `json:"email,omitempty" example:"jane@acme.test"`
	// CurrentPassword is required with email: the password the user signs
	// in with.
	CurrentPassword *string `json:"current_password,omitempty" example:"correct horse battery"`
}

// ProfileChangeAnswer says what became of a profile change, in words.
type ProfileChangeAnswer struct {
	Message string `json:"message" example:"Your profile has been saved."`
}

// portalUpdateProfile changes the user's own name and sign-in e-mail.
//
//	@Summary		Change my profile
//	@Description	Only the fields present change. A new `email` needs `current_password`, the password the user signs in with: missing or wrong is 400 naming current_password, and a wrong one counts as a failed sign-in of the account (from 5 in a row, each attempt waits a doubling delay: 429 with Retry-After). The answer to an e-mail change is the same whether the address was free (it is now the sign-in e-mail) or in use by another login (it stays theirs, the other changes are saved, and the holder's accounts get an `email_change` SSO event, refused, `email_in_use`, which their owner sees in SSO activity): 200 with the message "If this address is not in use by another login, it is now your sign-in e-mail. ...", so the change tells nobody which addresses are in use. Read GET /api/v1/portal/profile for the result. Rate limited per IP and per user. CSRF: JSON and same-origin.
//	@Tags			portal
//	@Accept			json
//	@Produce		json
//	@Param			body	body		ProfilePatch	true	"Fields to change"
//	@Success		200		{object}	ProfileChangeAnswer
//	@Failure		400		{object}	ErrorBody
//	@Failure		401		{object}	ErrorBody
//	@Failure		429		{object}	ErrorBody
//	@Router			/api/v1/portal/profile [patch]
func (h *portalAPI) portalUpdateProfile(c echo.Context) error {
	var p ProfilePatch
	if err := bindJSON(c, &p); err != nil {
		return err
	}
	u := currentAccount(c).User
	ch := sso.ProfileChange{Name: p.Name, Email: p.Email, CurrentPassword: p.CurrentPassword, IP: c.RealIP()}
	if p.Email == nil {
		msg, err := h.sso.UpdateProfile(c.Request().Context(), u.ID, ch)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, ProfileChangeAnswer{Message: msg})
	}
	// The current password is a sign-in: it shares the account's backoff.
	key := loginKey("portal", u.Email)
	if err := h.logins.check(key); err != nil {
		return err
	}
	msg, err := h.sso.UpdateProfile(c.Request().Context(), u.ID, ch)
	if errors.Is(err, sso.ErrWrongPassword) {
		h.logins.failed(key)
		h.logger.Info("portal e-mail change refused: wrong current password", "user_id", u.ID, "ip", c.RealIP())
	}
	if err != nil {
		return err
	}
	h.logins.succeeded(key)
	return c.JSON(http.StatusOK, ProfileChangeAnswer{Message: msg})
}
