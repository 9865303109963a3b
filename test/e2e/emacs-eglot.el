;;; emacs-eglot.el --- Emacs (28+) with eglot as a real LSP client of `rails-hazards lsp --stdio'.
;;; Run by test/e2e/editors.mjs:
;;;   RH_LSP_CMD='["node","bin/rails-hazards","lsp","--stdio"]' RH_FILE=/app/db/migrate/x.rb RH_RULE=<id> \
;;;   RH_FIX='Add `algorithm' emacs --batch -l test/e2e/emacs-eglot.el
;;; Not `emacs -Q': Debian's elpa-eglot is on the load path only through site-start.
;;; Waits for the rule's diagnostic, hovers it, applies the code action whose title starts with RH_FIX,
;;; waits for the diagnostic to clear and saves the file. Prints one tagged line per step.
(package-initialize)
(require 'eglot)
(require 'flymake)
(require 'json)
(setq eglot-sync-connect 30 eglot-connect-timeout 60)
(defun rh-out (fmt &rest args) (princ (concat (apply #'format fmt args) "\n")))
(defun rh-fail (msg) (rh-out "FAIL %s" msg) (kill-emacs 1))
(defun rh-wait (pred secs)
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (flymake-start) (accept-process-output nil 0.05))
    (funcall pred)))

(defvar rh-rule (getenv "RH_RULE"))
(defvar rh-fix (getenv "RH_FIX"))
(defvar rh-cmd (append (json-read-from-string (getenv "RH_LSP_CMD")) nil))
(defvar rh-match (or (getenv "RH_MATCH") (regexp-quote rh-rule)))  ; eglot 1.9 keeps only the message
(defun rh-ours ()
  (seq-filter (lambda (d) (string-match-p rh-match (flymake-diagnostic-text d)))
              (flymake-diagnostics)))

(push `((ruby-mode ruby-ts-mode) . ,rh-cmd) eglot-server-programs)
(find-file (getenv "RH_FILE"))
(ruby-mode)
(apply #'eglot (eglot--guess-contact))   ; = M-x eglot, without prompts
(unless (rh-wait #'rh-ours 30) (rh-fail (format "no %s diagnostic; got %S" rh-rule (mapcar #'flymake-diagnostic-text (flymake-diagnostics)))))
(let* ((d (car (rh-ours)))
       (beg (flymake-diagnostic-beg d)) (end (flymake-diagnostic-end d)))
  (rh-out "DIAGNOSTIC line %d: %s" (line-number-at-pos beg) (substring (flymake-diagnostic-text d) 0 (min 120 (length (flymake-diagnostic-text d)))))
  (goto-char beg)
  (let* ((hover (jsonrpc-request (eglot--current-server-or-lose) :textDocument/hover (eglot--TextDocumentPositionParams)))
         (value (plist-get (plist-get hover :contents) :value)))
    (unless (and value (> (length value) 0)) (rh-fail "no hover at the diagnostic"))
    (rh-out "HOVER %s" (replace-regexp-in-string "\n" " " (substring value 0 (min 160 (length value))))))
  (let* ((actions (eglot-code-actions beg end "quickfix"))
         (action (seq-find (lambda (a) (string-prefix-p rh-fix (plist-get a :title))) actions)))
    (dolist (a actions) (rh-out "CODE_ACTION %s" (plist-get a :title)))
    (unless action (rh-fail (format "no code action starting with %s" rh-fix)))
    (eglot--apply-workspace-edit (plist-get action :edit))
    ;; eglot sends didChange from an idle timer, and idle timers never fire in --batch: flush by hand
    (eglot--signal-textDocument/didChange)
    (rh-out "APPLIED %s" (plist-get action :title))))
(unless (rh-wait (lambda () (null (rh-ours))) 30) (rh-fail "diagnostic did not clear after the fix"))
(rh-out "DIAGNOSTIC_CLEARED %s" rh-rule)
(save-buffer)
(eglot-shutdown (eglot--current-server-or-lose))
(rh-out "OK emacs")
(kill-emacs 0)
