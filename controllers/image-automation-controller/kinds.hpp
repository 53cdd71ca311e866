// The kinds this controller reads and owns.
#pragma once

#include <weir/kube/types.hpp>

#include <chrono>

namespace weir::image {

inline const kube::gvk image_repository_kind{"image.toolkit.fluxcd.io", "v1", "ImageRepository"};
inline const kube::gvk image_policy_kind{"image.toolkit.fluxcd.io", "v1", "ImagePolicy"};
inline const kube::gvk image_update_automation_kind{"image.toolkit.fluxcd.io", "v1", "ImageUpdateAutomation"};
inline const kube::gvk git_repository_kind{"source.toolkit.fluxcd.io", "v1", "GitRepository"};

inline std::chrono::milliseconds to_ms(std::chrono::nanoseconds d)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

} // namespace weir::image
