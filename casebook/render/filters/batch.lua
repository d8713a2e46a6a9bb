-- casebook: render many Markdown bodies in one pandoc process (`pandoc lua batch.lua FORMAT FILTER...`).
--
-- stdin: a JSON list of {id, body, shift, prefix}. stdout: a JSON list of {id, html, warnings}
-- or {id, error}. Each body goes through what the command line
--   pandoc --from FORMAT --to html5 --wrap=none --mathml --id-prefix=PREFIX
--          --shift-heading-level-by=SHIFT --lua-filter=FILTER...
-- would do: read, shift headings, run the filters, write. Warnings are pandoc's own, as it
-- prints them ("[WARNING] ... at line N column M"), kept per body.

local format = arg[1]
local filter_files = {}
for i = 2, #arg do
  filter_files[#filter_files + 1] = arg[i]
end

-- A filter file either returns its filters or defines them as globals (Div, Para, ...).
local function load_filters(path)
  local env = setmetatable({}, { __index = _G })
  local chunk = assert(loadfile(path, "t", env))
  local returned = chunk()
  if type(returned) == "table" then
    return returned[1] and returned or { returned }
  end
  local filter = {}
  for name, value in pairs(env) do
    if type(value) == "function" then
      filter[name] = value
    end
  end
  return { filter }
end

local filters = {}
for _, path in ipairs(filter_files) do
  for _, filter in ipairs(load_filters(path)) do
    filters[#filters + 1] = filter
  end
end

-- east_asian_line_breaks: the command line drops a soft break between two wide characters
-- after reading (pandoc's eastAsianLineBreakFilter); pandoc.read alone does not.
local here = arg[0]:match("(.*/)") or "./"
local wide = dofile(here .. "wide.lua")

local function is_wide(code)
  local lo, hi = 1, #wide
  while lo <= hi do
    local mid = (lo + hi) // 2
    if code < wide[mid][1] then
      hi = mid - 1
    elseif code > wide[mid][2] then
      lo = mid + 1
    else
      return true
    end
  end
  return false
end

local function edge_wide(inline, last)
  local text = pandoc.utils.stringify(inline)
  if text == "" then
    return false
  end
  local code
  if last then
    code = utf8.codepoint(text, utf8.offset(text, -1))
  else
    code = utf8.codepoint(text, 1)
  end
  return is_wide(code)
end

local east_asian = {
  Inlines = function(inlines)
    for i = #inlines - 1, 2, -1 do
      if inlines[i].t == "SoftBreak" and edge_wide(inlines[i - 1], true)
          and edge_wide(inlines[i + 1], false) then
        inlines:remove(i)
      end
    end
    return inlines
  end,
}

local function shift_headings(doc, by)
  if by == 0 then
    return doc
  end
  return doc:walk({
    Header = function(h)
      if h.level + by > 0 then
        h.level = h.level + by
        return h
      end
      return pandoc.Para(h.content)
    end,
  })
end

local function render(item)
  local doc = pandoc.read(item.body, format, { columns = 72 })  -- the command line's default
  if format:find("+east_asian_line_breaks", 1, true) then
    doc = doc:walk(east_asian)
  end
  doc = shift_headings(doc, item.shift)
  for _, filter in ipairs(filters) do
    doc = doc:walk(filter)
  end
  return pandoc.write(doc, "html5", { wrap_text = "none", identifier_prefix = item.prefix,
                                      html_math_method = "mathml" })
    .. "\n"  -- as the command line ends its output
end

local function warnings(messages)
  local out = {}
  for _, message in ipairs(messages) do
    local m = pandoc.json.decode(pandoc.json.encode(message), false)
    if m.verbosity == "WARNING" or m.verbosity == "ERROR" then
      out[#out + 1] = "[" .. m.verbosity .. "] " .. m.pretty
    end
  end
  return out
end

local results = {}
for _, item in ipairs(pandoc.json.decode(io.read("a"), false)) do
  local messages, ok, html = pandoc.log.silence(pcall, render, item)
  if ok then
    results[#results + 1] = { id = item.id, html = html, warnings = warnings(messages) }
  else
    results[#results + 1] = { id = item.id, error = tostring(html), warnings = warnings(messages) }
  end
end
io.write(pandoc.json.encode(results))
