-- evalkit editions: one pandoc Lua filter for both engines (docx and typst).
--   * headings numbered in the official-document style: level 1 "一、", level 2 "（一）",
--     level 3 "1.", level 4 "（1）"; a page's own numbers ("一、…") are replaced, so the
--     numbering runs through the whole document. Headings with class "unnumbered" keep
--     their text and do not count.
--   * tables and figures with a caption are numbered "表 1" / "图 1" in document order.
--   * links become their text; links to the download files (tables/…) are dropped, and a
--     paragraph left with nothing but separators goes too.
--   * Quarto callouts (div class callout-*) become a titled, framed block; site-only divs
--     (classes evalkit-provenance, evalkit-page-header) are dropped.
--   * a page break before every level-1 heading but the first (docx: also after the cover).
--   * raw HTML/TeX never reaches the output (the reader is run without raw extensions;
--     any raw element left is dropped).

local CN = { "一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
  "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十" }
local counters = { 0, 0, 0, 0 }
local n_tables, n_figures, n_level1 = 0, 0, 0
local FULLSPACE = "　"

local function cn(n) return CN[n] or tostring(n) end

local function label(level, n)
  if level == 1 then return cn(n) .. "、" end
  if level == 2 then return "（" .. cn(n) .. "）" end
  if level == 3 then return tostring(n) .. "." end
  return "（" .. tostring(n) .. "）"
end

-- Prefixes a page may already carry ("一、", "（一）", "1.", "1、", "（1）").
local function strip_number(s)
  for i = #CN, 1, -1 do
    for _, p in ipairs({ CN[i] .. "、", "（" .. CN[i] .. "）" }) do
      if s:sub(1, #p) == p then return s:sub(#p + 1) end
    end
  end
  local rest = s:match("^%d+%.(.*)$") or s:match("^%d+、(.*)$") or s:match("^（%d+）(.*)$")
  return rest or s
end

local function pagebreak()
  if FORMAT:match("docx") then
    return pandoc.RawBlock("openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
  end
  return pandoc.RawBlock("typst", "#pagebreak(weak: true)")
end

function Header(h)
  if h.classes:includes("unnumbered") or h.level > 4 then
    for l = h.level + 1, #counters do counters[l] = 0 end
    if h.level == 1 then
      n_level1 = n_level1 + 1
      if n_level1 > 1 then return { pagebreak(), h } end
    end
    return h
  end
  counters[h.level] = counters[h.level] + 1
  for l = h.level + 1, #counters do counters[l] = 0 end
  local first = h.content[1]
  if first and first.t == "Str" then
    first.text = strip_number(first.text)
    if first.text == "" then
      h.content:remove(1)
      if h.content[1] and h.content[1].t == "Space" then h.content:remove(1) end
    end
  end
  h.content:insert(1, pandoc.Str(label(h.level, counters[h.level])))
  if h.level == 1 then
    n_level1 = n_level1 + 1
    if n_level1 > 1 then return { pagebreak(), h } end
  end
  return h
end

local function number_caption(caption, word, n)
  local body = caption.long
  if #body == 0 then return false end
  local first = body[1]
  if first.t == "Plain" or first.t == "Para" then
    first.content:insert(1, pandoc.Str(word .. " " .. tostring(n) .. FULLSPACE))
  else
    body:insert(1, pandoc.Plain({ pandoc.Str(word .. " " .. tostring(n)) }))
  end
  return true
end

-- Column widths. Pandoc gives a wide pipe table equal columns, so a file name or an item
-- number (text with no break in it) ran over its neighbours in the PDF. A column is given
-- at least its longest unbreakable piece of text, and what is left of the line goes to
-- the columns with longer text. Widths in half-ems of the table text: an ASCII character
-- is one ("%" two), any other two; TABLE_UNITS is the text width (156 mm) at 10.5 pt, CELL_PAD
-- a cell's insets (2 × 4 pt, rounded up). No break is added inside a word: a character put there
-- would be copied with the text (and the fonts have no glyph for it).
local TABLE_UNITS = 84
local TABLE_PT, MIN_TABLE_PT = 10.5, 7
local CELL_PAD = 3

local function codepoints(s)
  local set = {}
  for _, c in utf8.codes(s) do set[c] = true end
  return set
end
local OPENING = codepoints("（“‘《〈〔【「『")
local CLOSING = codepoints("）”’》〉〕】」』。，、；：！？")

local function char_units(c) return (c < 128 and c ~= 37) and 1 or 2 end  -- "%" is wide

-- Plain text of a cell, with Typst's escaped characters ("\-", "\.") as typed.
local function cell_text(blocks)
  local plain = blocks:walk({ RawInline = function(r)
    if r.format == "typst" then return pandoc.Str((r.text:gsub("^\\", ""))) end
  end })
  return pandoc.utils.stringify(plain)
end

-- Widest piece of *text* that cannot be broken, and the width of the whole, in units.
local function text_units(text)
  local widest, run, total = 0, 0, 0
  local prev = nil
  for _, c in utf8.codes(text) do
    local u = char_units(c)
    total = total + u
    if c == 32 then
      run = 0
    elseif c >= 128 then
      -- CJK text breaks between any two characters, but not before closing punctuation
      -- nor after opening punctuation: "89.6%（未" stays on one line. Typst sets such
      -- punctuation half-width where it meets other punctuation or a line's end: one unit.
      if OPENING[c] or CLOSING[c] then u = 1 end
      if CLOSING[c] or (prev and OPENING[prev]) then run = run + u else run = u end
    else
      run = run + u  -- a file name, number or date is not broken
    end
    if run > widest then widest = run end
    prev = c
  end
  return widest, total
end

local function each_row(t, fn)
  for _, row in ipairs(t.head.rows) do fn(row) end
  for _, body in ipairs(t.bodies) do
    for _, row in ipairs(body.head) do fn(row) end
    for _, row in ipairs(body.body) do fn(row) end
  end
  for _, row in ipairs(t.foot.rows) do fn(row) end
end

local function fit_columns(t)
  local n = #t.colspecs
  local set = false
  for _, spec in ipairs(t.colspecs) do
    if type(spec[2]) == "number" then set = true end
  end
  if not set or n == 0 then return 0 end  -- a narrow table: the engine sizes its columns
  local hard, natural = {}, {}
  for j = 1, n do hard[j], natural[j] = 4, 4 end
  each_row(t, function(row)
    local j = 1
    for _, cell in ipairs(row.cells) do
      if cell.col_span == 1 and j <= n then
        local widest, total = text_units(cell_text(cell.contents))
        hard[j] = math.max(hard[j], widest + CELL_PAD)
        natural[j] = math.max(natural[j], math.min(total, 40) + CELL_PAD)
      end
      j = j + cell.col_span
    end
  end)
  local sum_hard, sum_extra = 0, 0
  for j = 1, n do
    natural[j] = math.max(natural[j], hard[j])
    sum_hard = sum_hard + hard[j]
    sum_extra = sum_extra + natural[j] - hard[j]
  end
  local slack = math.max(TABLE_UNITS - sum_hard, 0)
  local widths, total = {}, 0
  for j = 1, n do
    local extra = natural[j] - hard[j]
    if sum_extra > 0 then extra = extra * math.min(1, slack / sum_extra) end
    widths[j] = hard[j] + extra
    total = total + widths[j]
  end
  for j = 1, n do
    t.colspecs[j] = { t.colspecs[j][1], widths[j] / total }
  end
  return sum_hard / TABLE_UNITS
end

function Table(t)
  if #t.caption.long > 0 then
    n_tables = n_tables + 1
    number_caption(t.caption, "表", n_tables)
  end
  local crowding = fit_columns(t)
  if not FORMAT:match("typst") then return t end
  if crowding <= 1 then return t end
  -- Even its unbreakable text does not fit the line at 10.5 pt (a table of many number
  -- columns): smaller text, down to MIN_TABLE_PT, rather than numbers over each other.
  local size = math.max(MIN_TABLE_PT, math.floor(TABLE_PT / crowding / 1.05 * 10) / 10)
  return { pandoc.RawBlock("typst", "#[#show table: set text(size: " .. size .. "pt)"), t,
    pandoc.RawBlock("typst", "]") }
end

function Figure(f)
  if #f.caption.long > 0 then
    n_figures = n_figures + 1
    number_caption(f.caption, "图", n_figures)
  end
  return f
end

local function is_download(link)
  return link.target:match("^tables/") ~= nil or link.target:match("^%./tables/") ~= nil
end

-- Paragraph text with every separator removed: empty means "nothing but separators".
local function only_separators(inlines)
  local s = pandoc.utils.stringify(inlines)
  for _, sep in ipairs({ "·", "|", "｜", "、", "，", ",", "：", ":", "；", ";", "（", "）", "(", ")" }) do
    s = s:gsub(sep:gsub("%p", "%%%0"), "")
  end
  return s:match("^%s*$") ~= nil
end

-- Links become their text. A link to a download file becomes a marker span holding its
-- text, which the paragraph around it removes, text and all (typewise traversal: links
-- are done before blocks; elsewhere, as in a heading, the text stays).
local DROPPED = "evalkit-dropped-download"

function Link(l)
  if is_download(l) then return pandoc.Span(l.content, pandoc.Attr("", { DROPPED })) end
  return l.content
end

-- Inlines that hold no other inline: a paragraph made only of these (most table cells)
-- holds no marker, and is left alone without a walk.
local LEAF = { Str = true, Space = true, SoftBreak = true, LineBreak = true, Code = true,
  Math = true, RawInline = true }

local function para_links(p)
  local leaves_only = true
  for _, el in ipairs(p.content) do
    if not LEAF[el.t] then leaves_only = false break end
  end
  if leaves_only then return nil end
  local dropped = false
  local content = p.content:walk({ Span = function(s)
    if s.classes:includes(DROPPED) then
      dropped = true
      return {}
    end
  end })
  if not dropped then return nil end
  if only_separators(content) then return {} end
  p.content = content
  return p
end

Para = para_links
Plain = para_links

-- Typst turns "-3" into a minus sign, "--" into a dash, "-?" into a soft hyphen and "..."
-- into an ellipsis (markup shorthands that pandoc's writer leaves alone): escape every
-- "-" and the dots of "...", so submitted text prints exactly as typed.
-- Defined for Typst only: every Str passes through it (docx needs no escaping).
local function escape_typst(s)
  if not (s.text:find("-", 1, true) or s.text:find("...", 1, true)) then
    return nil
  end
  local out = pandoc.Inlines({})
  local buf = ""
  local text = s.text
  local i = 1
  while i <= #text do
    local c = text:sub(i, i)
    if c == "-" or (c == "." and (text:sub(i, i + 2) == "..." or text:sub(i - 1, i) == ".."
        or text:sub(i - 2, i) == "...")) then
      if buf ~= "" then out:insert(pandoc.Str(buf)) end
      buf = ""
      out:insert(pandoc.RawInline("typst", "\\" .. c))
    else
      buf = buf .. c
    end
    i = i + 1
  end
  if buf ~= "" then out:insert(pandoc.Str(buf)) end
  return out
end

if FORMAT:match("typst") then Str = escape_typst end

function RawBlock(_) return {} end
function RawInline(_) return {} end

-- Site-only blocks (a page's header line and provenance footer, as fenced divs with these
-- classes): the editions carry the as-of date on the cover and the version in the closing note.
local SITE_ONLY = { "evalkit-provenance", "evalkit-page-header" }

function Div(d)
  for _, c in ipairs(SITE_ONLY) do
    if d.classes:includes(c) then return {} end
  end
  local kind
  for _, c in ipairs(d.classes) do
    local k = c:match("^callout%-(.+)$")
    if k then kind = k end
  end
  if not kind then return nil end
  local titles = { note = "注", tip = "提示", important = "重要", warning = "注意", caution = "注意" }
  local title = d.attributes["title"] or titles[kind] or "注"
  local blocks = pandoc.Blocks({ pandoc.Para({ pandoc.Strong({ pandoc.Str(title) }) }) })
  blocks:extend(d.content)
  if FORMAT:match("docx") then
    return pandoc.Div(blocks, pandoc.Attr("", {}, { ["custom-style"] = "Callout" }))
  end
  local out = pandoc.Blocks({ pandoc.RawBlock("typst", "#callout[") })
  out:extend(blocks)
  out:insert(pandoc.RawBlock("typst", "]"))
  return out
end

-- The docx cover (title, author, date, abstract from the metadata) ends with a page break.
function Pandoc(doc)
  if FORMAT:match("docx") then
    doc.blocks:insert(1, pagebreak())
  end
  return doc
end
