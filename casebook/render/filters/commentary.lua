-- casebook: turn ::: {.commentary by="…"} into an aside with its label and attribution.
function Div(el)
  if not el.classes:includes("commentary") then
    return nil
  end
  local by = el.attributes["by"] or ""
  local blocks = {
    pandoc.RawBlock("html", '<aside class="commentary" aria-label="点评">'),
    pandoc.RawBlock("html", '<p class="commentary-label">点评</p>'),
  }
  for _, block in ipairs(el.content) do
    table.insert(blocks, block)
  end
  if by:match("%S") then  -- an unsigned 点评 (a warning in check, a failure in verify) has none
    local attribution = pandoc.Para({pandoc.Str("（" .. by .. "）")})
    table.insert(blocks, pandoc.Div({attribution}, pandoc.Attr("", {"commentary-by"})))
  end
  table.insert(blocks, pandoc.RawBlock("html", "</aside>"))
  return blocks
end
