-- evalkit editions: one pandoc Lua filter for both engines (docx and typst).
--   * headings numbered in the official-document style: level 1 "一、", level 2 "（一）",
--     level 3 "1.", level 4 "（1）"; a page's own numbers ("一、…") are replaced, so the
--     numbering runs through the whole document. Headings with class "unnumbered" keep
--     their text and do not count.
--   * tables and figures with a caption are numbered "表 1" / "图 1" in document order.
--   * links become their text; links to the download files (tables/…) are dropped, and a
--     paragraph left with nothing but separators goes too.
--   * Quarto callouts (div class callout-*) become a titled, framed block; site-only divs
--     (classes evalkit-provenance, evalkit-page-header) are dropped; a div of class
--     evalkit-print-table sets its table's text at its "size", keeps the table and its
--     caption on one page ("keep") or prints it on turned pages ("landscape"), PDF only;
--     Quarto's conditional divs (content-visible / content-hidden with when-format) are
--     kept or dropped for print, in a first pass.
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

function Table(t)
  if #t.caption.long > 0 then
    n_tables = n_tables + 1
    number_caption(t.caption, "表", n_tables)
  end
  return t
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

-- A table printed smaller ("size", pt), kept on one page with its caption ("keep") or on
-- turned pages ("landscape") comes in a div of this class
-- (evalkit.editions.assemble.fit_tables); Typst only.
local PRINT_TABLE = "evalkit-print-table"

-- Quarto's conditional content: a div shown only in other formats (content-visible
-- when-format="html": the methodology's notes on the pipeline) or hidden in print.
local PRINT_FORMATS = { pdf = true, docx = true, typst = true }

local function print_excludes(d)
  local when = d.attributes["when-format"]
  if d.classes:includes("content-visible") then return when ~= nil and not PRINT_FORMATS[when] end
  if d.classes:includes("content-hidden") then return when == nil or PRINT_FORMATS[when] == true end
  return false
end

function Div(d)
  for _, c in ipairs(SITE_ONLY) do
    if d.classes:includes(c) then return {} end
  end
  -- The reform list's search wrapper means nothing in print; unwrapped, its table may turn
  -- its pages (Typst allows no page settings inside the block a div becomes).
  if d.classes:includes("evalkit-searchable") then return d.content end
  if d.classes:includes(PRINT_TABLE) then
    if not FORMAT:match("typst") then return d.content end
    local rules = ""
    local size = tonumber(d.attributes["size"])
    if size then rules = rules .. "#show table: set text(size: " .. string.format("%.1f", size) .. "pt)\n" end
    if d.attributes["keep"] == "1" then rules = rules .. "#show figure: set block(breakable: false)\n" end
    local open = d.attributes["landscape"] == "1" and "#page(flipped: true)[" or "#["
    local out = pandoc.Blocks({ pandoc.RawBlock("typst", open .. rules) })
    out:extend(d.content)
    out:insert(pandoc.RawBlock("typst", "]"))
    return out
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

-- Two passes: conditional content first (content-visible / content-hidden), so that the
-- headings it drops are not counted by Header (the methods annex went from （二） to （八）);
-- then everything above.
return {
  { Div = function(d) if print_excludes(d) then return {} end end },
  {
    Header = Header, Table = Table, Figure = Figure, Link = Link, Para = Para, Plain = Plain,
    Str = Str, RawBlock = RawBlock, RawInline = RawInline, Div = Div, Pandoc = Pandoc,
  },
}
