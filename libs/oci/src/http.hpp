// The transport moved to the public header (shared with libs/objectstore).
#pragma once

#include <weir/oci/http.hpp>
