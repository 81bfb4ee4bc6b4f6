package rest

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/applinks/applinks/api/links"
)

// staffStore is what staff sign-in needs from the database.
type staffStore interface {
	AdminCredentials(ctx context.Context, email string) (links.Admin, string, error)
	Admin(ctx context.Context, id int64) (links.Admin, error)
	EndAdminSessions(ctx context.Context, id int64) error
}

// staffAuth signs staff in and out and authenticates their requests.
type staffAuth struct {
	store  staffStore
	tokens tokens
	ttl    time.Duration // of a staff token
	logins *loginGuard
	logger *slog.Logger
}

// Token audiences: a staff token is never accepted by the client area and
// the other way round.
const (
	AudienceStaff  = "applinks-staff"
	AudiencePortal = "applinks-portal"
)

// tokens issues and verifies HS256 JWTs.
type tokens struct {
	key    []byte
	issuer string
	now    func() time.Time
}

func (t tokens) issue(subject, audience string, ttl time.Duration, extra map[string]any) (string, time.Time, error) {
	now := t.now()
	exp := now.Add(ttl)
	claims := jwt.MapClaims{
		"sub": subject, "aud": audience, "iss": t.issuer,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": exp.Unix(),
	}
	for k, v := range extra {
		claims[k] = v
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.key)
	return s, exp, err
}

// verify checks signature, algorithm, issuer, audience and expiry, and returns
// the claims.
func (t tokens) verify(token, audience string) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return t.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(t.issuer), jwt.WithAudience(audience),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(5*time.Second),
		jwt.WithTimeFunc(t.now),
	)
	if err != nil {
		return nil, err
	}
	return claims, nil
}

// sessionVersion is the "sv" claim: the session version of the admin or
// user when the token was issued (0 in tokens issued before versions).
func sessionVersion(claims jwt.MapClaims) int64 {
	sv, _ := claims["sv"].(float64)
	return int64(sv)
}

func subjectID(claims jwt.MapClaims) (int64, bool) {
	sub, err := claims.GetSubject()
	if err != nil {
		return 0, false
	}
	id, err := strconv.ParseInt(sub, 10, 64)
	return id, err == nil && id > 0
}

// ctxKey is the type of the request-context keys of this package: the one
// who authenticated a request, by kind.
type ctxKey int

const (
	adminKey      ctxKey = iota // links.Admin of a staff request
	portalKey                   // sso.Account of a client-area request
	credentialKey               // links.APICredential of a trusted application
)

// requireStaff authenticates the bearer token of a staff request and puts
// the admin in the request context.
func (h *staffAuth) requireStaff(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		scheme, token, ok := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="applinks"`)
			return links.Errorf(links.EUNAUTHORIZED, "Sign in first: send Authorization: Bearer <token> from POST /api/v1/auth/login.")
		}
		claims, err := h.tokens.verify(strings.TrimSpace(token), AudienceStaff)
		if err != nil {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="applinks", error="invalid_token"`)
			return links.Errorf(links.EUNAUTHORIZED, "Your session is invalid or has expired; sign in again.")
		}
		id, ok := subjectID(claims)
		if !ok {
			return links.Errorf(links.EUNAUTHORIZED, "Your session is invalid or has expired; sign in again.")
		}
		admin, err := h.store.Admin(c.Request().Context(), id)
		if links.ErrorCode(err) == links.ENOTFOUND || (err == nil && !admin.Active) {
			return links.Errorf(links.EUNAUTHORIZED, "Your account is no longer active.")
		} else if err != nil {
			return err
		}
		if sessionVersion(claims) != admin.SessionVersion {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="applinks", error="invalid_token"`)
			return links.Errorf(links.EUNAUTHORIZED, "Your session has ended (signed out, or your password or role changed); sign in again.")
		}
		c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), adminKey, admin)))
		withActor(c, links.Actor{Kind: links.ActorAdmin, ID: admin.ID, Name: admin.Email})
		return next(c)
	}
}

// currentAdmin returns the admin of an authenticated staff request.
func currentAdmin(c echo.Context) links.Admin {
	a, _ := c.Request().Context().Value(adminKey).(links.Admin)
	return a
}

// requirePerm refuses staff without the permission.
func requirePerm(perm string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !currentAdmin(c).Can(perm) {
				return links.Errorf(links.EFORBIDDEN, "You need the %s permission for this.", perm)
			}
			return next(c)
		}
	}
}

// rateLimit limits requests per client IP (and, with key, per another
// identifier) and answers 429 with Retry-After.
func rateLimit(perMinute float64, burst int, key func(echo.Context) string) echo.MiddlewareFunc {
	store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Limit(perMinute / 60), Burst: burst, ExpiresIn: 10 * time.Minute,
	})
	retry := int(60/perMinute) + 1
	deny := func(echo.Context, string, error) error {
		return &retryAfterError{links.Errorf(links.ERATELIMITED, "Too many attempts; wait %d seconds and try again.", retry), retry}
	}
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store: store,
		IdentifierExtractor: func(c echo.Context) (string, error) {
			if key != nil {
				return key(c), nil
			}
			return c.RealIP(), nil
		},
		ErrorHandler: func(c echo.Context, err error) error {
			return links.Errorf(links.EINVALID, "The request could not be identified.")
		},
		DenyHandler: func(c echo.Context, id string, err error) error { return deny(c, id, err) },
	})
}

// LoginRequest is a staff sign-in.
type LoginRequest struct {
	Email    string `json:"email" example:"admin@example.com"`
	Password string `json:"password" example:"correct horse battery staple"`
}

// LoginResponse carries the bearer token for the staff API.
type LoginResponse struct {
	Token     string      `json:"token"`
	ExpiresAt time.Time   `json:"expires_at"`
	Admin     AdminAnswer `json:"admin"`
}

// login signs a staff member in.
//
//	@Summary		Staff sign-in
//	@Description	Exchanges e-mail and password for a short-lived JWT to send as `Authorization: Bearer`. Failures are generic (no account enumeration) and rate limited per IP, and per account: after 5 failures in a row each attempt waits a doubling delay (1 s up to 15 min; 429 with Retry-After), reset by a success.
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		LoginRequest	true	"Credentials"
//	@Success		200		{object}	LoginResponse
//	@Failure		400		{object}	ErrorBody
//	@Failure		401		{object}	ErrorBody
//	@Failure		429		{object}	ErrorBody
//	@Router			/api/v1/auth/login [post]
func (h *staffAuth) login(c echo.Context) error {
	var req LoginRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.Email == "" || req.Password == "" {
		return links.Errorf(links.EINVALID, "Give your e-mail address and password.")
	}
	var admin links.Admin
	err := h.logins.guardLogin(loginKey("staff", req.Email), func() error {
		a, hash, err := h.store.AdminCredentials(c.Request().Context(), strings.TrimSpace(req.Email))
		if err != nil && links.ErrorCode(err) != links.ENOTFOUND {
			return err
		}
		if !checkPassword(hash, req.Password) {
			h.logger.Info("staff login refused", "ip", c.RealIP())
			return links.Errorf(links.EUNAUTHORIZED, "The e-mail address or password is incorrect.")
		}
		admin = a
		return nil
	})
	if err != nil {
		return err
	}
	token, exp, err := h.tokens.issue(strconv.FormatInt(admin.ID, 10), AudienceStaff, h.ttl,
		map[string]any{"sv": admin.SessionVersion})
	if err != nil {
		return err
	}
	h.logger.Info("staff login", "admin_id", admin.ID, "ip", c.RealIP())
	return c.JSON(http.StatusOK, LoginResponse{Token: token, ExpiresAt: exp.UTC(), Admin: toAdmin(admin)})
}

// logout ends the signed-in staff member's sessions.
//
//	@Summary		Staff sign-out
//	@Description	Ends every session of the signed-in staff member, on every device: each token issued before is refused from now on. A password, role or active change does the same.
//	@Tags			auth
//	@Security		BearerAuth
//	@Success		204
//	@Failure		401	{object}	ErrorBody
//	@Router			/api/v1/auth/logout [post]
func (h *staffAuth) logout(c echo.Context) error {
	if err := h.store.EndAdminSessions(c.Request().Context(), currentAdmin(c).ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// me returns the signed-in staff member.
//
//	@Summary	The signed-in staff member
//	@Tags		auth
//	@Produce	json
//	@Security	BearerAuth
//	@Success	200	{object}	AdminAnswer
//	@Failure	401	{object}	ErrorBody
//	@Router		/api/v1/auth/me [get]
func (h *staffAuth) me(c echo.Context) error {
	return c.JSON(http.StatusOK, toAdmin(currentAdmin(c)))
}
