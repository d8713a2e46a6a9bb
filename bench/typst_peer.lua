-- bench/typst_peer.lua: pandoc filter for the Typst peer of the typeset audit (bench only).
--
-- Run with `-t typst -M cb-doc=<document id> -M cb-dir=<the document's folder>`. It marks
-- every block casebook gives an id (<doc>--b<n>: paragraphs, list items, tables, figures,
-- headings) with `#cbmark("<doc>--b<n>");`, a preamble function that records where Typst
-- places it (bench/typst_peer.py turns those positions into the PDF's named destinations,
-- which the audit reads as it reads casebook's), turns the 点评 div into the block
-- `#cbcommentary` with its label and signature as casebook sets them, and makes image paths
-- absolute with the width WeasyPrint gives them (96 px to the inch).

local doc_id, doc_dir = "", "."
local counter = 0

local function next_id()
  counter = counter + 1
  return string.format("%s--b%d", doc_id, counter)
end

local function mark(id)
  return pandoc.RawInline("typst", string.format('#cbmark("%s");', id or next_id()))
end

local function png_width(path)
  local file = io.open(path, "rb")
  if not file then return nil end
  local head = file:read(24)
  file:close()
  if not head or head:sub(2, 4) ~= "PNG" then return nil end
  return string.unpack(">I4", head, 17)
end

local function image(img)
  if not img.src:match("^/") then
    img.src = pandoc.path.normalize(pandoc.path.join({doc_dir, img.src}))
  end
  local width = png_width(img.src)
  if width and not img.attributes.width then
    img.attributes.width = string.format("%gpt", width * 0.75)
  end
  return img
end

local function commentary(div)
  local by = div.attributes["by"] or ""
  local blocks = {
    pandoc.RawBlock("typst", "#cbcommentary["),
    pandoc.RawBlock("typst", string.format('#cblabel("%s")[点评]', next_id())),
  }
  for _, block in ipairs(div.content) do
    table.insert(blocks, block)
  end
  if by:match("%S") then
    table.insert(blocks, pandoc.RawBlock("typst",
      string.format('#cbsignature("%s")[（%s）]', next_id(), by)))
  end
  table.insert(blocks, pandoc.RawBlock("typst", "]"))
  return blocks
end

local function items(list)
  for _, item in ipairs(list.content) do  -- a tight list item is a Plain, not a Para
    if item[1] and item[1].t == "Plain" then item[1].content:insert(1, mark()) end
  end
  return list
end

local marking = {
  Para = function(el) el.content:insert(1, mark()); return el end,
  BulletList = items,
  OrderedList = items,
  -- before the heading, not in it: a heading's text is also set in the outline
  Header = function(el) return {pandoc.RawBlock("typst", '#cbmark("' .. next_id() .. '");'), el} end,
  Table = function(el) return {pandoc.RawBlock("typst", '#cbmark("' .. next_id() .. '");'), el} end,
  Figure = function(el) return {pandoc.RawBlock("typst", '#cbmark("' .. next_id() .. '");'), el} end,
  Div = function(el)
    if el.classes:includes("commentary") then return commentary(el) end
  end,
}

function Pandoc(doc)
  doc_id = pandoc.utils.stringify(doc.meta["cb-doc"] or "")
  doc_dir = pandoc.utils.stringify(doc.meta["cb-dir"] or ".")
  if doc_id == "" then error("typst_peer.lua: pass -M cb-doc=<document id>") end
  doc = doc:walk({Image = image})
  -- bottom-up: each block is marked once, the blocks inside a 点评 before the 点评 itself
  return doc:walk(marking)
end
