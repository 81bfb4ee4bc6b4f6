package rest

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
	"github.com/applinks/applinks/api/sso"
)

// ErrorBody is the one shape of every error answer.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong and, for invalid input, which field.
// A refused single sign-on also says why, in a machine-readable reason.
type ErrorDetail struct {
	Code    string `json:"code" example:"invalid"`
	Message string `json:"message" example:"The hostname is required."`
	Field   string `json:"field,omitempty" example:"hostname"`
	// Reason is the refusal reason of a single sign-on endpoint (e.g.
	// sso_disabled, client_closed, service_inactive, invalid_credentials,
	// invalid_destination, forbidden_source, user_not_on_client,
	// invalid_client, invalid_request); absent elsewhere.
	Reason string `json:"reason,omitempty" example:"sso_disabled"`
}

var codeStatus = map[string]int{
	links.EINVALID:       http.StatusBadRequest,
	links.EUNPROCESSABLE: http.StatusUnprocessableEntity,
	links.ENOTFOUND:      http.StatusNotFound,
	links.ECONFLICT:      http.StatusConflict,
	links.EUNAUTHORIZED:  http.StatusUnauthorized,
	links.EFORBIDDEN:     http.StatusForbidden,
	links.EUNAVAILABLE:   http.StatusServiceUnavailable,
	links.ERATELIMITED:   http.StatusTooManyRequests,
	links.EINTERNAL:      http.StatusInternalServerError,
}

// statusCode gives Echo's own errors a code of the closed set: a wrong
// method, body size or content type is invalid input, and the status tells
// which.
var statusCode = map[int]string{
	http.StatusBadRequest:            links.EINVALID,
	http.StatusUnprocessableEntity:   links.EUNPROCESSABLE,
	http.StatusNotFound:              links.ENOTFOUND,
	http.StatusMethodNotAllowed:      links.EINVALID,
	http.StatusRequestEntityTooLarge: links.EINVALID,
	http.StatusUnsupportedMediaType:  links.EINVALID,
	http.StatusUnauthorized:          links.EUNAUTHORIZED,
	http.StatusForbidden:             links.EFORBIDDEN,
	http.StatusTooManyRequests:       links.ERATELIMITED,
	http.StatusServiceUnavailable:    links.EUNAVAILABLE,
}

// retryAfterError asks the error handler to add a Retry-After header.
type retryAfterError struct {
	err     *links.Error
	seconds int
}

func (e *retryAfterError) Error() string { return e.err.Error() }
func (e *retryAfterError) Unwrap() error { return e.err }

// errorHandler is Echo's one HTTPErrorHandler: it turns every error into
// {"error":{"code","message"}} with the status of its code (and, for a
// refused single sign-on, its reason), and logs the unexpected ones with the
// request id.
func errorHandler(logger *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status, body := errorResponse(err, c)
		if status >= 500 && status != http.StatusServiceUnavailable {
			logger.Error("request failed", "err", err, "method", c.Request().Method,
				"path", c.Path(), "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		}
		var ra *retryAfterError
		if errors.As(err, &ra) {
			c.Response().Header().Set("Retry-After", strconv.Itoa(ra.seconds))
		}
		var refusal *sso.Refusal
		if errors.As(err, &refusal) && status < 500 {
			body.Error.Reason = refusal.Reason
			// A trusted application that sent credentials is told which
			// scheme they take.
			if status == http.StatusUnauthorized && c.Request().Header.Get(echo.HeaderAuthorization) != "" {
				c.Response().Header().Set("WWW-Authenticate", `Basic realm="applinks"`)
			}
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		_ = c.JSON(status, body)
	}
}

func errorResponse(err error, c echo.Context) (int, ErrorBody) {
	var le *links.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &le):
		status, ok := codeStatus[le.Code]
		if !ok {
			status = http.StatusInternalServerError
		}
		return status, ErrorBody{ErrorDetail{Code: le.Code, Message: le.Message, Field: le.Field}}
	case errors.As(err, &he):
		code, ok := statusCode[he.Code]
		if !ok {
			code = links.EINTERNAL
		}
		msg := http.StatusText(he.Code) + "."
		switch he.Code {
		case http.StatusNotFound:
			msg = fmt.Sprintf("There is no endpoint %s %s.", c.Request().Method, c.Request().URL.Path)
		case http.StatusMethodNotAllowed:
			msg = fmt.Sprintf("%s is not allowed on %s.", c.Request().Method, c.Request().URL.Path)
		case http.StatusRequestEntityTooLarge:
			msg = "The request body is too large."
		default:
			if s, ok := he.Message.(string); ok && he.Code < 500 {
				msg = s
			}
		}
		return he.Code, ErrorBody{ErrorDetail{Code: code, Message: msg}}
	}
	if links.ErrorCode(err) == links.EUNAVAILABLE {
		return http.StatusServiceUnavailable, ErrorBody{ErrorDetail{Code: links.EUNAVAILABLE, Message: links.ErrorMessage(err)}}
	}
	return http.StatusInternalServerError, ErrorBody{ErrorDetail{Code: links.EINTERNAL, Message: "Internal error; it has been logged."}}
}
