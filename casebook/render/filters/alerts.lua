-- casebook: GitHub alerts (> [!NOTE], [!TIP], [!IMPORTANT], [!WARNING], [!CAUTION]) become
-- titled asides, as commentary.lua does for the 点评. Words after the marker, on its line,
-- are the title (alerts.py ends that line in a hard break, so the title stays its own).
local TITLES = { NOTE = "注意", TIP = "提示", IMPORTANT = "重要", WARNING = "警告", CAUTION = "小心" }

local function escape(text)
  return (text:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

function BlockQuote(el)
  local first = el.content[1]
  if not first or (first.t ~= "Para" and first.t ~= "Plain") or #first.content == 0 then
    return nil
  end
  local head = first.content[1]
  if head.t ~= "Str" then
    return nil
  end
  local kind, rest = head.text:match("^%[!(%a+)%](.*)$")
  local label = kind and TITLES[kind:upper()]
  if not label then
    return nil
  end
  local title, body, i = pandoc.Inlines({}), pandoc.Inlines({}), 2
  if rest ~= "" then
    title:insert(pandoc.Str(rest))
  end
  while i <= #first.content and first.content[i].t ~= "SoftBreak"
      and first.content[i].t ~= "LineBreak" do
    if #title > 0 or first.content[i].t ~= "Space" then
      title:insert(first.content[i])
    end
    i = i + 1
  end
  for j = i + 1, #first.content do
    body:insert(first.content[j])
  end
  if #title == 0 then
    title:insert(pandoc.Str(label))
  end
  local name = kind:lower()
  local blocks = {
    pandoc.RawBlock("html", '<aside class="alert alert-' .. name .. '" role="note" aria-label="'
      .. escape(pandoc.utils.stringify(title)) .. '">'),
    pandoc.Div({ pandoc.Plain(title) }, pandoc.Attr("", { "alert-title" })),
  }
  if #body > 0 then
    table.insert(blocks, pandoc.Para(body))
  end
  for k = 2, #el.content do
    table.insert(blocks, el.content[k])
  end
  table.insert(blocks, pandoc.RawBlock("html", "</aside>"))
  return blocks
end
