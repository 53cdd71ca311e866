// weir completion bash|zsh: a shell completion script for commands, kind words and object names.
#include "cli_common.hpp"

#include <iostream>

namespace {

using namespace weir;

int completion(const cli::args& a)
{
    if (a.size() != 1 || (a[0] != "bash" && a[0] != "zsh")) return cli::fail("usage: weir completion bash|zsh");
    std::string cmds;
    for (const auto& c : cli::commands()) cmds += c.name + " ";
    std::string kinds = "source image kustomization helmrelease alert alert-provider receiver all";
    std::string script = R"sh(# weir completion: source this file, or put it in your completion directory.
_weir() {
  local cur prev words
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    weir) COMPREPLY=($(compgen -W ")sh" + cmds + R"sh(" -- "$cur")); return ;;
    get|reconcile|suspend|resume|export|delete|create) COMPREPLY=($(compgen -W ")sh" + kinds + R"sh(" -- "$cur")); return ;;
    source|sources) COMPREPLY=($(compgen -W "git oci helm chart bucket" -- "$cur")); return ;;
    image|images) COMPREPLY=($(compgen -W "repository policy update" -- "$cur")); return ;;
    diff|build|tree) COMPREPLY=($(compgen -W "kustomization" -- "$cur")); return ;;
    bootstrap) COMPREPLY=($(compgen -W "git" -- "$cur")); return ;;
    completion) COMPREPLY=($(compgen -W "bash zsh" -- "$cur")); return ;;
    -n|--namespace) COMPREPLY=($(compgen -W "$(kubectl get ns -o name 2>/dev/null | cut -d/ -f2)" -- "$cur")); return ;;
  esac
  COMPREPLY=($(compgen -W "--namespace --all-namespaces --kubeconfig --context --timeout --export --with-source" -- "$cur"))
}
)sh";
    if (a[0] == "zsh") std::cout << "#compdef weir\nautoload -U +X bashcompinit && bashcompinit\n";
    std::cout << script << "complete -F _weir weir\n";
    return 0;
}

weir::cli::command_registration reg{{
    .name = "completion",
    .summary = "print a shell completion script (completion bash|zsh)",
    .run = completion,
}};

} // namespace
