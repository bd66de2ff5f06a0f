#!/bin/sh
# Source rules that hold for the whole tree (DESIGN §2, §9):
#  - no RISC-V CSR name or CSR instruction outside arch/ in the kernel, its ABI headers or the
#    architecture-independent library;
#  - every C file is formatted with the one .clang-format (when clang-format is installed).
cd "$(dirname "$0")/../.." || exit 2
status=0
csr='\b(sstatus|sepc|scause|stval|satp|sie|sip|stvec|sscratch|stimecmp|scounteren|mstatus|csrr|csrw|csrs|csrc|csrrw)\b'
if grep -rnE "$csr" kernel include; then
    echo "error: RISC-V CSR names outside arch/ (above)"
    status=1
fi
if command -v clang-format >/dev/null 2>&1; then
    if ! git ls-files --cached --others --exclude-standard '*.c' '*.h' | xargs clang-format --dry-run --Werror 2>&1 | head -20 | grep .; then
        :
    else
        echo "error: files not formatted with .clang-format (run clang-format -i on them)"
        status=1
    fi
else
    echo "note: clang-format not installed; formatting not checked"
fi
exit $status
