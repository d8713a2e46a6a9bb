-- casebook: raw HTML an author wrote passes only as a few safe inline tags (rawhtml.py warns
-- about the rest, at its line): <sup> <sub> <kbd> <mark> <ruby> <rt> <rp> without attributes,
-- <br>, and an empty anchor <a id="x"></a>, which becomes a span with that id (the id is
-- prefixed like a heading's, so [见此](#x) links to it). Every other tag, and every raw
-- block (<div>, <script>, <iframe> with what they hold), is removed; its text stays.
local KEEP = { sup = true, sub = true, kbd = true, mark = true, ruby = true, rt = true, rp = true }

local function html(el)
  return el and el.t == "RawInline" and el.format == "html"
end

local function anchor(text)
  local id = text:match("^<[aA]%s+[iI][dD]%s*=%s*\"([%w_:.%-]+)\"%s*>$")
      or text:match("^<[aA]%s+[iI][dD]%s*=%s*'([%w_:.%-]+)'%s*>$")
  return id
end

local function kept(text)
  local slash, name = text:match("^<(/?)(%a+)%s*>$")
  if name and KEEP[name:lower()] then
    return pandoc.RawInline("html", "<" .. slash .. name:lower() .. ">")
  end
  if text:match("^<[bB][rR]%s*/?>$") then
    return pandoc.LineBreak()
  end
  return nil
end

function Inlines(inlines)
  local out, i = pandoc.Inlines({}), 1
  while i <= #inlines do
    local el = inlines[i]
    if not html(el) then
      out:insert(el)
    elseif anchor(el.text) and html(inlines[i + 1]) and inlines[i + 1].text:lower() == "</a>" then
      out:insert(pandoc.Span({}, pandoc.Attr(anchor(el.text))))
      i = i + 1
    else
      local keep = kept(el.text)
      if keep then
        out:insert(keep)
      end
    end
    i = i + 1
  end
  return out
end

function RawBlock(el)
  if el.format == "html" then
    return {}
  end
end

-- Text next to a raw block is read as Plain, not a paragraph: with the block gone, it is one.
function Pandoc(doc)
  for i, block in ipairs(doc.blocks) do
    if block.t == "Plain" then
      doc.blocks[i] = pandoc.Para(block.content)
    end
  end
  return doc
end
