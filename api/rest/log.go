package rest

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/applinks/applinks/api/links"
)

// maxLogQuery bounds the log's account and text filters.
const maxLogQuery = 200

// getLog returns one page of an operation's log.
//
//	@Summary		Get the provisioning log
//	@Description	Entries of the application's last operation (or of operation_id), newest first unless order=oldest: debug (start and end of the operation and of each server; each account pushed or removed outside an operation), info (a server does not support links; a verify's counts), notice (no server supports links; an account found to differ from its desired links), warning (an account the panel refused, or a verify could not read; a server given up).
//	@Tags			applications
//	@Produce		json
//	@Security		BearerAuth
//	@Param			module			path		string	true	"cpanel or wpsquared"
//	@Param			level			query		string	false	"debug, info, notice or warning"
//	@Param			server_id		query		int		false	"only this server's entries"
//	@Param			account			query		string	false	"only the entries about the account with this username; without operation_id, in every operation of the application (the account's history)"
//	@Param			q				query		string	false	"only the entries whose message contains this text (any case)"
//	@Param			order			query		string	false	"newest (the default) or oldest"
//	@Param			operation_id	query		int		false	"another operation of the application"
//	@Param			page			query		int		false	"page, from 1"
//	@Param			per_page		query		int		false	"page size, 1 to 200"
//	@Success		200				{object}	List[LogEntry]
//	@Failure		400				{object}	ErrorBody
//	@Failure		403				{object}	ErrorBody
//	@Failure		404				{object}	ErrorBody
//	@Router			/api/v1/applications/{module}/log [get]
func (h *applicationsAPI) getLog(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	f, err := logFilter(c)
	if err != nil {
		return err
	}
	f.Page = p
	items, total, err := h.prov.Log(c.Request().Context(), c.Param("module"), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(toLogEntries(items), total, p))
}

// getLogCSV streams the whole filtered log as CSV.
//
//	@Summary		Download the provisioning log as CSV
//	@Description	Every entry that the same filters as GET /log select (no paging), as CSV with the columns id, time, level, server_id, service_id, message, account. Rows are written as they are read, so a log of any size downloads in constant memory. Cells starting with = + - @ are prefixed with ' so that spreadsheets do not run them as formulas.
//	@Tags			applications
//	@Produce		text/csv
//	@Security		BearerAuth
//	@Param			module			path		string	true	"cpanel or wpsquared"
//	@Param			level			query		string	false	"debug, info, notice or warning"
//	@Param			server_id		query		int		false	"only this server's entries"
//	@Param			account			query		string	false	"only the entries about the account with this username; without operation_id, in every operation of the application (the account's history)"
//	@Param			q				query		string	false	"only the entries whose message contains this text (any case)"
//	@Param			order			query		string	false	"newest (the default) or oldest"
//	@Param			operation_id	query		int		false	"another operation of the application"
//	@Success		200				{string}	string	"CSV"
//	@Failure		400				{object}	ErrorBody
//	@Failure		403				{object}	ErrorBody
//	@Failure		404				{object}	ErrorBody
//	@Router			/api/v1/applications/{module}/log.csv [get]
func (h *applicationsAPI) getLogCSV(c echo.Context) error {
	f, err := logFilter(c)
	if err != nil {
		return err
	}
	module := c.Param("module")
	var w *csv.Writer
	// start writes the headers on the first batch (or at the end), so that
	// a bad module or operation still gets its JSON error.
	start := func() error {
		h := c.Response().Header()
		h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		h.Set(echo.HeaderContentDisposition, `attachment; filename="`+module+`-log.csv"`)
		c.Response().WriteHeader(http.StatusOK)
		w = csv.NewWriter(c.Response())
		return w.Write([]string{"id", "time", "level", "server_id", "service_id", "message", "account"})
	}
	err = h.prov.LogEach(c.Request().Context(), module, f, func(batch []links.LogEntry) error {
		if w == nil {
			if err := start(); err != nil {
				return err
			}
		}
		for _, e := range batch {
			if err := w.Write(logRecord(e)); err != nil {
				return err
			}
		}
		w.Flush()
		c.Response().Flush()
		return w.Error()
	})
	if err != nil {
		if w != nil {
			// The status is sent: all that is left is to cut the body short.
			return nil
		}
		return err
	}
	if w == nil {
		if err := start(); err != nil {
			return nil
		}
	}
	w.Flush()
	return nil
}

// logFilter reads the log filters shared by the page and the CSV download.
// The order defaults to newest first.
func logFilter(c echo.Context) (links.LogFilter, error) {
	serverID, err := queryInt(c, "server_id")
	if err != nil {
		return links.LogFilter{}, err
	}
	opID, err := queryInt(c, "operation_id")
	if err != nil {
		return links.LogFilter{}, err
	}
	f := links.LogFilter{OperationID: opID, ServerID: serverID, Level: c.QueryParam("level"),
		Account: strings.TrimSpace(c.QueryParam("account")), Query: c.QueryParam("q"), Order: c.QueryParam("order")}
	if err := oneOf("level", f.Level, links.LogLevels...); err != nil {
		return f, err
	}
	if err := oneOf("order", f.Order, links.OrderNewest, links.OrderOldest); err != nil {
		return f, err
	}
	if f.Order == "" {
		f.Order = links.OrderNewest
	}
	for name, v := range map[string]string{"account": f.Account, "q": f.Query} {
		if utf8.RuneCountInString(v) > maxLogQuery {
			return f, links.FieldError(name, "The %s filter must be at most %d characters long.", name, maxLogQuery)
		}
	}
	return f, nil
}

// logRecord is one entry as a CSV row.
func logRecord(e links.LogEntry) []string {
	id := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	return []string{strconv.FormatInt(e.ID, 10), e.Time.UTC().Format(time.RFC3339), e.Level,
		id(e.ServerID), id(e.ServiceID), csvSafe(e.Message), csvSafe(e.Account)}
}

// csvSafe neutralises a cell that a spreadsheet would run as a formula
// (CSV injection): one starting with = + - @, a tab or a carriage return
// gets a leading apostrophe.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
