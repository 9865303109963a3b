-- Neovim (0.7+, headless) as a real LSP client of `rails-hazards lsp --stdio`.
-- Run by test/e2e/editors.mjs:
--   RH_LSP_CMD='["node","bin/rails-hazards","lsp","--stdio"]' RH_ROOT=/app RH_RULE=<id> RH_FIX='Add `algorithm' \
--   nvim --headless --clean -n -c 'luafile test/e2e/nvim-lsp.lua' /app/db/migrate/x.rb
-- Waits for the rule's diagnostic, hovers it, asks for code actions, applies the one whose title starts
-- with RH_FIX, waits for the diagnostic to clear and writes the file. Prints one tagged line per step.
local function out(tag, v)
  io.stdout:write(tag .. ' ' .. (type(v) == 'string' and v or vim.fn.json_encode(v)) .. '\n')
end
local function fail(msg) out('FAIL', msg); vim.cmd('cquit 1') end

local bufnr = vim.api.nvim_get_current_buf()
local fname = vim.api.nvim_buf_get_name(bufnr)
local rule = os.getenv('RH_RULE')
local fix_prefix = os.getenv('RH_FIX')
local cmd = vim.fn.json_decode(os.getenv('RH_LSP_CMD') or 'null')
if fname == '' or not rule or not fix_prefix or type(cmd) ~= 'table' then
  return fail('usage: RH_LSP_CMD, RH_ROOT, RH_RULE, RH_FIX and a file to open')
end

local published = {} -- uri -> raw LSP diagnostics (usable as codeAction context)
local exited = nil
local client_id = vim.lsp.start_client({
  name = 'rails-hazards',
  cmd = cmd,
  root_dir = os.getenv('RH_ROOT') or vim.fn.fnamemodify(fname, ':h'),
  handlers = {
    ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
      published[result.uri] = result.diagnostics
      return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
    end,
  },
  on_exit = function(code, signal) exited = { code = code, signal = signal } end,
})
if not client_id then return fail('start_client returned nil') end
vim.lsp.buf_attach_client(bufnr, client_id)
local uri = vim.uri_from_bufnr(bufnr)

local function ours()
  local list = {}
  for _, d in ipairs(published[uri] or {}) do
    if d.code == rule then table.insert(list, d) end
  end
  return list
end

-- 1. diagnostics
local ok = vim.wait(30000, function() return #ours() > 0 or exited ~= nil end, 20)
if exited then return fail('server exited: ' .. vim.fn.json_encode(exited)) end
if not ok then return fail('no ' .. rule .. ' diagnostic within 30s; got ' .. vim.fn.json_encode(published[uri] or {})) end
local d = ours()[1]
out('DIAGNOSTIC', { line = d.range.start.line + 1, col = d.range.start.character + 1, code = d.code, source = d.source, message = d.message })

-- 2. hover at the diagnostic
local hov = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', { textDocument = { uri = uri }, position = d.range.start }, 10000)
local hover_text
for _, r in pairs(hov or {}) do
  if r.result and r.result.contents then hover_text = r.result.contents.value or vim.fn.json_encode(r.result.contents) end
end
if not hover_text or hover_text == '' then return fail('no hover at the diagnostic') end
out('HOVER', (hover_text:gsub('\n', ' ')):sub(1, 160))

-- 3. code actions for that diagnostic, the one the user picks, applied
local res = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
  textDocument = { uri = uri }, range = d.range, context = { diagnostics = { d }, only = { 'quickfix' } } }, 10000)
local action
for _, r in pairs(res or {}) do
  for _, a in ipairs(r.result or {}) do
    out('CODE_ACTION', a.title)
    if not action and a.title:sub(1, #fix_prefix) == fix_prefix then action = a end
  end
end
if not action or not action.edit then return fail('no code action starting with ' .. fix_prefix) end
local client = vim.lsp.get_client_by_id(client_id)
vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
out('APPLIED', action.title)

-- 4. the server re-analyses the edited buffer: the diagnostic must clear
ok = vim.wait(30000, function() return #ours() == 0 end, 20)
if not ok then return fail('diagnostic did not clear after the fix') end
out('DIAGNOSTIC_CLEARED', rule)
vim.cmd('silent write')
vim.lsp.stop_client(client_id)
out('OK', 'nvim')
vim.cmd('qa!')
